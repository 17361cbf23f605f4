using ClusterTrainer.Exchange.Tcp;

namespace ClusterTrainer.Exchange.Tests.Tcp;

public class TwoLevelGridTests
{
    [Theory]
    [InlineData(4, 2, 2, 4)]
    [InlineData(6, 2, 3, 6)]
    [InlineData(8, 2, 4, 8)]
    [InlineData(9, 3, 3, 8)]
    [InlineData(16, 4, 4, 12)]
    [InlineData(64, 8, 8, 28)]
    public void Should_make_rows_of_the_largest_divisor_up_to_the_square_root(int world, int rowSize, int rows, int hops)
    {
        var grid = TwoLevelGrid.For(world)!;

        Assert.Equal((rowSize, rows, hops), (grid.RowSize, grid.Rows, grid.Hops));
        Assert.True(grid.Hops <= 2 * (world - 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(13)]
    public void A_world_without_a_grid_should_get_none(int world) => Assert.Null(TwoLevelGrid.For(world));

    [Fact]
    public void Rows_and_columns_should_each_hold_every_rank_once_and_agree_on_its_places()
    {
        var grid = TwoLevelGrid.For(12)!;
        for (var rank = 0; rank < 12; rank++)
        {
            var (row, rowPosition) = grid.RowOf(rank);
            var (column, columnPosition) = grid.ColumnOf(rank);
            Assert.Equal(rank, row[rowPosition]);
            Assert.Equal(rank, column[columnPosition]);
            Assert.Equal(grid.RowSize, row.Length);
            Assert.Equal(grid.Rows, column.Length);
            // A rank's column holds the ranks at its place in every row.
            Assert.All(column, member => Assert.Equal(rowPosition, grid.RowOf(member).Position));
        }

        Assert.Equal(Enumerable.Range(0, 12), Enumerable.Range(0, grid.Rows).SelectMany(r => grid.RowOf(r * grid.RowSize).Members).Order());
    }
}
