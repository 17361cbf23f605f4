#!/usr/bin/env python3
"""The peer of `clustertrainer train --model cnn`: the same CNN trained with PyTorch DistributedDataParallel.

`clustertrainer bench --peer-report` runs this next to `clustertrainer train` on the same IDX files and compares
samples/s. It mirrors ClusterTrainer's CNN job step for step: conv3x3x32-pool-conv3x3x64-pool-FC-FC, Adam (epsilon
1e-7, as ClusterTrainer), its cosine schedule per step (warm-up, base rate, decay to a floor; or a constant rate),
dropout at the same places and rate (libtorch's masks, not ClusterTrainer's sample-keyed ones), one global batch split evenly across
the processes (DDP averages their gradients, so the step is that of the global batch), pixels scaled to [0, 1].
Processes talk over gloo, each runs torch.set_num_threads(--threads).

Timed like ClusterTrainer's samples/s: training samples / seconds of the training steps, from a barrier before the
first step to the end of the last (the slowest process's time); loading the data and evaluating are not timed.
Runs on its own too:

    /usr/bin/python3 ddp_cnn.py --data /usr/share/datasets/fashion-mnist --samples 20000 --out peer.json

Needs Debian's python3-torch (which brings python3-numpy).
"""

import argparse
import gzip
import json
import math
import os
import struct
import sys
import tempfile
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte", "train-labels-idx1-ubyte"
TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"


def idx_path(directory, name):
    """The file `name` in `directory`, gzipped or raw (as ClusterTrainer accepts)."""
    for candidate in (os.path.join(directory, name + ".gz"), os.path.join(directory, name)):
        if os.path.isfile(candidate):
            return candidate
    sys.exit(f"ddp_cnn.py: {directory} lacks {name} (or {name}.gz); give --data an MNIST-style IDX directory")


def read_idx(path, limit):
    """The first `limit` items of an IDX file of unsigned bytes, as a numpy array of its shape."""
    with (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")) as stream:
        zero, kind, dimensions = struct.unpack(">HBB", stream.read(4))
        if zero != 0 or kind != 0x08:
            sys.exit(f"ddp_cnn.py: {path} is not an IDX file of unsigned bytes (header {zero:#x} {kind:#x})")
        shape = list(struct.unpack(">" + "I" * dimensions, stream.read(4 * dimensions)))
        shape[0] = min(shape[0], limit)
        size = int(np.prod(shape))
        data = np.frombuffer(stream.read(size), dtype=np.uint8)
        if data.size != size:
            sys.exit(f"ddp_cnn.py: {path} ends before its {shape[0]} items")
        return data.reshape(shape)


def load(directory, images_name, labels_name, limit):
    images = read_idx(idx_path(directory, images_name), limit)
    labels = read_idx(idx_path(directory, labels_name), limit)
    return torch.from_numpy(images.copy()).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def cnn(hidden, classes, dropout):
    """ClusterTrainer's CnnModel: valid 3x3 convolutions, 28 -> 26 -> 13 -> 11 -> 5; dropout on the flattened
    features and on the FC layer's output (none at rate 0)."""
    drop = [nn.Dropout(dropout)] if dropout > 0 else []
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), *drop,
        nn.Linear(64 * 5 * 5, hidden), nn.ReLU(), *drop,
        nn.Linear(hidden, classes))


def rate_factor(args, step, total_steps):
    """ClusterTrainer's LearningRateSchedule: a linear warm-up over the first --lr-warmup share of the steps, the base
    rate, then a cosine decay to --lr-floor over the last --lr-decay share; or constant."""
    if args.schedule == "constant" or total_steps <= 1:
        return 1.0
    warmup = 0 if args.lr_warmup <= 0 else min(total_steps - 1, math.ceil(args.lr_warmup * total_steps))
    if step < warmup:
        return (step + 1) / warmup
    decay = min(total_steps - warmup, math.ceil(args.lr_decay * total_steps))
    start = total_steps - decay
    if decay <= 1 or step < start:
        return 1.0
    progress = min(step - start, decay) / decay
    return args.lr_floor + (1 - args.lr_floor) * 0.5 * (1 + math.cos(math.pi * progress))


def run(rank, args, store):
    torch.set_num_threads(args.threads)
    dist.init_process_group("gloo", init_method="file://" + store, rank=rank, world_size=args.processes)
    images, labels = load(args.data, TRAIN_IMAGES, TRAIN_LABELS, args.samples)
    count = len(labels)
    classes = int(labels.max()) + 1
    torch.manual_seed(args.seed)
    model = DistributedDataParallel(cnn(args.hidden, classes, args.dropout))
    steps_per_epoch = (count + args.batch_size - 1) // args.batch_size
    total_steps = steps_per_epoch * args.epochs
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, eps=args.adam_epsilon)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: rate_factor(args, step, total_steps))

    loss_sum = torch.zeros(1, dtype=torch.float64)
    dist.barrier()
    start = time.perf_counter()
    for epoch in range(args.epochs):
        # Every process draws the same order; each takes its share of every global batch.
        order = torch.randperm(count, generator=torch.Generator().manual_seed(args.seed + epoch))
        for step in range(steps_per_epoch):
            batch = order[step * args.batch_size:(step + 1) * args.batch_size]
            mine = batch.tensor_split(args.processes)[rank]
            inputs = images[mine].float().div_(255)
            loss = F.cross_entropy(model(inputs), labels[mine])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            loss_sum += loss.detach().double() * len(mine)
    seconds = torch.tensor([time.perf_counter() - start], dtype=torch.float64)

    dist.all_reduce(seconds, op=dist.ReduceOp.MAX)
    dist.all_reduce(loss_sum)
    if rank == 0:
        report = {
            "torch_version": torch.__version__,
            "processes": args.processes,
            "threads_per_process": torch.get_num_threads(),
            "backend": dist.get_backend(),
            "batch_size": args.batch_size,
            "epochs": args.epochs,
            "samples": count * args.epochs,
            "steps": total_steps,
            "train_seconds": seconds.item(),
            "samples_per_second": count * args.epochs / seconds.item(),
            "mean_train_loss": loss_sum.item() / (count * args.epochs),
        }
        report.update(evaluate(model.module, args))
        with open(args.out, "w", encoding="utf-8") as stream:
            json.dump(report, stream, indent=2)
        print(f"pytorch ddp: {report['samples_per_second']:.0f} samples/s, "
              f"test accuracy {report['test_accuracy']:.4f} on {report['test_samples']} test samples", flush=True)
    dist.barrier()
    dist.destroy_process_group()


def evaluate(model, args):
    images, labels = load(args.data, TEST_IMAGES, TEST_LABELS, args.test_samples)
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(labels), 1000):
            predicted = model(images[first:first + 1000].float().div_(255)).argmax(1)
            correct += int((predicted == labels[first:first + 1000]).sum())
    return {"test_samples": len(labels), "test_accuracy": correct / max(len(labels), 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="IDX directory (train-images-idx3-ubyte[.gz] and the rest)")
    parser.add_argument("--samples", type=int, default=20000, help="first N training images (default 20000)")
    parser.add_argument("--test-samples", type=int, default=10000, help="first N test images evaluated (default 10000)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64, help="global batch, split across the processes")
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--adam-epsilon", type=float, default=1e-7, help="ClusterTrainer's default (PyTorch's is 1e-8)")
    parser.add_argument("--schedule", choices=["cosine", "constant"], default="cosine")
    parser.add_argument("--lr-warmup", type=float, default=0.02, help="share of the steps the cosine warms up over")
    parser.add_argument("--lr-decay", type=float, default=0.2, help="share of the steps, at the end, the cosine decays over")
    parser.add_argument("--lr-floor", type=float, default=0.1, help="where the cosine ends, as a share of --lr")
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads in each process")
    parser.add_argument("--out", required=True, help="JSON report written by process 0")
    args = parser.parse_args()
    if min(args.samples, args.test_samples, args.epochs, args.batch_size, args.processes, args.threads) < 1:
        sys.exit("ddp_cnn.py: --samples, --test-samples, --epochs, --batch-size, --processes and --threads must be at least 1")
    if args.batch_size < args.processes:
        sys.exit(f"ddp_cnn.py: --batch-size {args.batch_size} leaves some of the {args.processes} processes without samples")

    # A file store needs no port, so two runs at once cannot collide; it must not exist before the run.
    with tempfile.TemporaryDirectory(prefix="ddp-cnn-") as directory:
        mp.spawn(run, args=(args, os.path.join(directory, "store")), nprocs=args.processes, join=True)


if __name__ == "__main__":
    main()
