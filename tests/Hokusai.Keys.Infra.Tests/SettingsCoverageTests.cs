using System.Reflection;

namespace Hokusai.Keys.Infra.Tests;

/// <summary>Every options property the app reads must be set by infra/ unless it is marked [NotRequiredInAzure].</summary>
[Collection(CompiledTemplateCollection.Name)]
public sealed class SettingsCoverageTests(CompiledTemplate template)
{
    [Fact]
    public void Every_required_options_property_has_an_app_setting()
    {
        var settings = AppSettings.Read(template).Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var required = RequiredSettingNames().ToList();
        Assert.NotEmpty(required);

        var missing = required.Where(r => !settings.Contains(r.Setting)).Select(r => $"{r.Setting}  ({r.Type.FullName}.{r.Property})").ToList();
        Assert.True(missing.Count == 0,
            "App settings missing from infra/ (set them in infra/modules/functionapp.bicep, or mark the property [NotRequiredInAzure(\"why\")]):\n  "
            + string.Join("\n  ", missing));
    }

    [Fact]
    public void Options_classes_are_discovered()
    {
        var types = OptionsTypes().Select(t => t.Name).ToList();
        Assert.Contains("StorageOptions", types);
        Assert.Contains("SecurityOptions", types);
    }

    internal static IEnumerable<(string Setting, Type Type, string Property)> RequiredSettingNames()
    {
        foreach (var type in OptionsTypes())
        {
            var section = (string)type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0
                    || property.IsDefined(typeof(NotRequiredInAzureAttribute), inherit: true))
                {
                    continue;
                }

                yield return (section.Replace(":", "__", StringComparison.Ordinal) + "__" + property.Name, type, property.Name);
            }
        }
    }

    /// <summary>Types with <c>public const string SectionName</c> in every Hokusai.Keys.* assembly next to the tests
    /// (Core and Azure, plus any project referenced later).</summary>
    private static IEnumerable<Type> OptionsTypes() =>
        HokusaiAssemblies()
            .SelectMany(LoadableTypes)
            .Where(t => t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.FieldType == typeof(string))
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static IEnumerable<Assembly> HokusaiAssemblies()
    {
        var assemblies = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase)
        {
            [typeof(NotRequiredInAzureAttribute).Assembly.GetName().Name!] = typeof(NotRequiredInAzureAttribute).Assembly,
            [typeof(Hokusai.Keys.Azure.StorageOptions).Assembly.GetName().Name!] = typeof(Hokusai.Keys.Azure.StorageOptions).Assembly,
        };
        var self = typeof(SettingsCoverageTests).Assembly.GetName().Name!;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "Hokusai.Keys.*.dll"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (!assemblies.ContainsKey(name) && !name.EndsWith(".Tests", StringComparison.OrdinalIgnoreCase) && name != self)
            {
                assemblies[name] = Assembly.Load(new AssemblyName(name));
            }
        }

        return assemblies.Values;
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            return exception.Types.OfType<Type>();
        }
    }
}
