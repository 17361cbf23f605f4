# Local stand-ins for mcr.microsoft.com/dotnet/sdk and mcr.microsoft.com/dotnet/aspnet, for machines that reach no
# image registry. deploy/e2e.sh builds them and points deploy/Dockerfile at them through its SDK_IMAGE and
# RUNTIME_IMAGE build arguments; nothing else uses them.
#
# Build context (a tar that e2e.sh assembles): this file, the host's .NET folder as dotnet/, and the host's CA
# bundle as ca-certificates.crt. The base is a debootstrapped Debian bookworm (minbase) with the libraries .NET and
# libtorch need; the project's build fixes TorchSharp's native glue up for bookworm's libstdc++ (see
# deploy/Dockerfile), so both stages must stay on this one base.
ARG BASE_IMAGE
FROM ${BASE_IMAGE} AS common
# The .NET images' unprivileged user and group (UID/GID 1654), which deploy/Dockerfile's runtime stage runs as.
RUN groupadd --gid 1654 app \
 && useradd --uid 1654 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1

FROM common AS sdk
COPY dotnet/ /usr/share/dotnet/
# The package registries reachable from such machines present certificates that only the host's CA bundle trusts
# ("UntrustedRoot" otherwise), and their revocation servers are out of reach, as on the host.
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NUGET_CERT_REVOCATION_MODE=offline
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --info >/dev/null

# The ASP.NET Core runtime image: the host, and the shared frameworks (Microsoft.NETCore.App, Microsoft.AspNetCore.App).
FROM common AS runtime
COPY dotnet/dotnet /usr/share/dotnet/dotnet
COPY dotnet/host/ /usr/share/dotnet/host/
COPY dotnet/shared/ /usr/share/dotnet/shared/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && dotnet --list-runtimes >/dev/null
