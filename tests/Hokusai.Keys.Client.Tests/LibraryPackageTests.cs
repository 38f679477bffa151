using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using Hokusai.Keys.AspNetCore;

namespace Hokusai.Keys.Client.Tests;

/// <summary>The packages services reference ship their XML documentation, so IntelliSense explains every public type.</summary>
[Collection(DotnetPack.Collection)]
public sealed class LibraryPackageTests
{
    public static TheoryData<string> Libraries() => [typeof(HokusaiKeysClient).Assembly.GetName().Name!, typeof(HokusaiApiKeyHandler).Assembly.GetName().Name!];

    [Theory]
    [MemberData(nameof(Libraries))]
    public async Task The_package_carries_the_documentation_of_every_public_type(string library)
    {
        var output = Directory.CreateTempSubdirectory("hokusai-lib-pack-");
        try
        {
            await DotnetPack.RunAsync(Path.Combine("src", library), output.FullName);
            var package = Assert.Single(output.GetFiles(library + ".*.nupkg"));
            using var zip = ZipFile.OpenRead(package.FullName);
            var assembly = Assert.Single(zip.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.Name == library + ".dll");
            var docs = zip.Entries.SingleOrDefault(e => e.FullName == Path.ChangeExtension(assembly.FullName, ".xml"));
            Assert.True(docs is not null, $"{package.Name} has no {Path.ChangeExtension(assembly.FullName, ".xml")}");

            using var stream = docs.Open();
            var documented = XDocument.Load(stream).Descendants("member").Select(m => (string?)m.Attribute("name")).ToHashSet(StringComparer.Ordinal);
            var publicTypes = Assembly.Load(library).GetExportedTypes().Select(t => "T:" + t.FullName!.Replace('+', '.')).ToList();
            Assert.NotEmpty(publicTypes);
            var undocumented = publicTypes.Where(t => !documented.Contains(t)).ToList();
            Assert.True(undocumented.Count == 0, "undocumented in the package: " + string.Join(", ", undocumented));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
