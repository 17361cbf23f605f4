namespace ClusterTrainer.Data.Tests;

public sealed class CsvReaderTests
{
    private const string IrisLike = """
        sepal_length,sepal_width,petal_length,species
        5.1,3.5,1.4,setosa
        7.0,3.2,4.7,versicolor
        6.3,3.3,6.0,virginica
        4.9,3.0,1.4,setosa
        """;

    [Fact]
    public void Should_read_numeric_rows_without_header_using_the_last_column_as_label()
    {
        var data = Read("1,2.5,0\n-3,4e1,1\n5,6,1\n");

        Assert.Equal(SampleEncoding.Float32, data.Encoding);
        Assert.Equal([2], data.SampleShape);
        Assert.Equal([1f, 2.5f, -3f, 40f, 5f, 6f], data.Values!);
        Assert.Equal([0, 1, 1], data.Labels);
        Assert.Equal(2, data.ClassCount);
        Assert.Null(data.ClassNames);
    }

    [Fact]
    public void Should_use_integer_labels_as_class_ids()
    {
        var data = Read("0.5,3\n0.7,0\n0.1,1\n");

        Assert.Equal([3, 0, 1], data.Labels);
        Assert.Equal(4, data.ClassCount);
    }

    [Fact]
    public void Should_detect_a_header_and_map_string_labels_in_order_of_first_appearance()
    {
        var data = Read(IrisLike);

        Assert.Equal([3], data.SampleShape);
        Assert.Equal(4, data.Count);
        Assert.Equal([0, 1, 2, 0], data.Labels);
        Assert.Equal(["setosa", "versicolor", "virginica"], data.ClassNames);
        Assert.Equal(3, data.ClassCount);
        Assert.Equal([5.1f, 3.5f, 1.4f], data.Values![..3]);
    }

    [Fact]
    public void Should_find_the_label_column_by_header_name_ignoring_case()
    {
        var data = Read("Kind,width,height\ncat,1,2\ndog,3,4\n", new CsvOptions { LabelName = "kind" });

        Assert.Equal([1f, 2f, 3f, 4f], data.Values!);
        Assert.Equal(["cat", "dog"], data.ClassNames);
    }

    [Fact]
    public void Should_find_the_label_column_by_index()
    {
        var data = Read("1,0,2\n3,1,4\n", new CsvOptions { LabelIndex = 1 });

        Assert.Equal([1f, 2f, 3f, 4f], data.Values!);
        Assert.Equal([0, 1], data.Labels);
    }

    [Fact]
    public void Should_read_quoted_labels_that_contain_the_separator()
    {
        var data = Read("1,\"Iris, setosa\"\n2,\"say \"\"hi\"\"\"\n");

        Assert.Equal(["Iris, setosa", "say \"hi\""], data.ClassNames);
    }

    [Fact]
    public void Should_skip_blank_lines_but_count_them_in_line_numbers()
    {
        var error = ReadFails("1,2,a\n\n3,4,b\n\n5,x,a\n");

        Assert.Contains("line 5, column 2: 'x' is not a number", error.Message);
        Assert.Equal((5, 2), (error.Line, error.Column));
    }

    [Fact]
    public void Should_report_a_wrong_field_count_with_its_line()
    {
        var lines = Enumerable.Range(0, 8).Select(i => $"{i},1,2,3,a{i % 2}").ToList();
        lines.Add("9,1,2,b");

        var error = ReadFails(string.Join('\n', lines));

        Assert.Contains("line 9 has 4 fields, expected 5", error.Message);
        Assert.Equal(9, error.Line);
    }

    [Fact]
    public void Should_report_a_non_numeric_field_with_line_and_column()
    {
        var lines = Enumerable.Range(1, 16).Select(i => $"{i},0.5,1.5,c{i % 3}").ToList();
        lines.Add("17,0.5,abc,c1");

        var error = ReadFails(string.Join('\n', lines));

        Assert.Contains("line 17, column 3: 'abc' is not a number", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n  \n\n")]
    public void Should_report_an_empty_file(string text)
    {
        var error = ReadFails(text);

        Assert.Contains("is empty", error.Message);
    }

    [Fact]
    public void Should_report_a_header_without_data_rows()
    {
        var error = ReadFails("width,height,kind\n");

        Assert.Contains("has a header row but no data rows", error.Message);
    }

    [Fact]
    public void Should_report_a_named_label_column_that_the_header_lacks()
    {
        var error = ReadFails("a,b,c\n1,2,x\n1,2,y\n", new CsvOptions { LabelName = "species" });

        Assert.Contains("has no column named 'species'", error.Message);
    }

    [Theory]
    [InlineData("1,2,a\n2,,b\n", "line 2, column 2: the field is empty")]
    [InlineData("1,2,a\n2,3,\n", "line 2, column 3: the label is empty")]
    [InlineData("1,2,a\n2,NaN,b\n", "line 2, column 2: 'NaN' is not a finite number")]
    [InlineData("1,2,a\n2,\"3,b\n", "line 2, column 2: a quoted field is not closed")]
    [InlineData("1,2,a\n2,3,a\n", "every row has the label 'a'")]
    [InlineData("1,2\n2,50000\n", "line 2, column 2: label 50000 is too large")]
    public void Should_name_the_problem_and_where_it_is(string text, string expected)
    {
        var error = ReadFails(text);

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Should_name_the_file_when_reading_from_a_path()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteText("broken.csv", "1,2,a\n1,oops,b\n");

        var error = Assert.Throws<DataFormatException>(() => CsvReader.Read(path));

        Assert.Equal(path, error.FilePath);
        Assert.StartsWith(path + ": line 2, column 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Should_read_a_file_from_a_path()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteText("iris-like.csv", IrisLike);

        var data = CsvReader.Read(path);

        Assert.Equal(path, data.Name);
        Assert.Equal(4, data.Count);
    }

    private static Dataset Read(string text, CsvOptions? options = null) =>
        CsvReader.Read(new StringReader(text), "test.csv", options);

    private static DataFormatException ReadFails(string text, CsvOptions? options = null)
    {
        var error = Assert.Throws<DataFormatException>(() => Read(text, options));
        Assert.StartsWith("test.csv: ", error.Message, StringComparison.Ordinal);
        Assert.Equal("test.csv", error.FilePath);
        return error;
    }
}
