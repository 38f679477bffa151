using System.Collections.Immutable;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Hokusai.Keys.Architecture.Tests;

/// <summary>
/// Which namespaces of one assembly use which others, as compiled: base types, interfaces, attributes, signatures of
/// fields, properties, events and methods, local variables, and every type, field and method a method body names
/// (lambdas and async methods included: their generated types are nested in the type that wrote them). Read from the
/// metadata, nothing is loaded or run. A constant is copied into its user by the compiler, so using one leaves no trace.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes).GetFields()
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => unchecked((ushort)o.Value), o => o.OperandType);

    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph(string root) => Root = root;

    /// <summary>The namespace every other one of the assembly starts with: the project's root, not a folder.</summary>
    public string Root { get; }

    /// <summary>The namespaces below <see cref="Root"/>: the folders.</summary>
    public IEnumerable<string> Folders => _edges.Keys.Where(n => n != Root).Order(StringComparer.Ordinal);

    /// <summary>The namespaces <paramref name="from"/> uses, each with one use as evidence (<c>Type uses Type</c>).</summary>
    public IReadOnlyDictionary<string, string> Uses(string from) => _edges.TryGetValue(from, out var to) ? to : [];

    /// <summary>The graph of the namespaces that start with <paramref name="prefix"/> (others are generated or borrowed).</summary>
    public static NamespaceGraph Read(string assemblyPath, string prefix)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var reader = pe.GetMetadataReader();
        var provider = new SignatureTypes();

        var owners = reader.TypeDefinitions.ToDictionary(t => t, t => Outermost(reader, t));
        string NamespaceOf(TypeDefinitionHandle type) => reader.GetString(reader.GetTypeDefinition(owners[type]).Namespace);
        string NameOf(TypeDefinitionHandle type) => reader.GetString(reader.GetTypeDefinition(owners[type]).Name);
        bool Ours(string ns) => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal);

        var namespaces = owners.Keys.Select(NamespaceOf).Where(Ours).Distinct().ToList();
        var graph = new NamespaceGraph(CommonPrefix(namespaces));
        foreach (var ns in namespaces) graph._edges[ns] = new Dictionary<string, string>(StringComparer.Ordinal);

        foreach (var handle in reader.TypeDefinitions)
        {
            var from = NamespaceOf(handle);
            if (!Ours(from)) continue;
            var used = new HashSet<TypeDefinitionHandle>();
            var walker = new Walker(reader, provider, used);
            walker.Type(handle);
            foreach (var method in reader.GetTypeDefinition(handle).GetMethods())
            {
                var rva = reader.GetMethodDefinition(method).RelativeVirtualAddress;
                if (rva != 0) walker.Body(pe.GetMethodBody(rva));
            }
            foreach (var target in used)
            {
                var to = NamespaceOf(target);
                if (to != from && Ours(to)) graph._edges[from].TryAdd(to, $"{NameOf(handle)} uses {NameOf(target)}");
            }
        }
        return graph;
    }

    private static TypeDefinitionHandle Outermost(MetadataReader reader, TypeDefinitionHandle type)
    {
        while (reader.GetTypeDefinition(type).GetDeclaringType() is { IsNil: false } outer) type = outer;
        return type;
    }

    private static string CommonPrefix(IReadOnlyList<string> namespaces)
    {
        if (namespaces.Count == 0) return "";
        var parts = namespaces[0].Split('.');
        var length = parts.Length;
        foreach (var ns in namespaces.Skip(1))
        {
            var other = ns.Split('.');
            length = Math.Min(length, other.Length);
            for (var i = 0; i < length; i++)
            {
                if (parts[i] != other[i]) { length = i; break; }
            }
        }
        return string.Join('.', parts.Take(length));
    }

    /// <summary>Collects the assembly's own types that a type's declaration and its method bodies name.</summary>
    private sealed class Walker(MetadataReader reader, SignatureTypes provider, HashSet<TypeDefinitionHandle> used)
    {
        public void Type(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            Entity(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations()) Entity(reader.GetInterfaceImplementation(i).Interface);
            Attributes(type.GetCustomAttributes());
            foreach (var p in type.GetGenericParameters())
            {
                foreach (var c in reader.GetGenericParameter(p).GetConstraints()) Entity(reader.GetGenericParameterConstraint(c).Type);
            }
            foreach (var f in type.GetFields())
            {
                var field = reader.GetFieldDefinition(f);
                used.UnionWith(field.DecodeSignature(provider, null));
                Attributes(field.GetCustomAttributes());
            }
            foreach (var p in type.GetProperties())
            {
                var property = reader.GetPropertyDefinition(p);
                Signature(property.DecodeSignature(provider, null));
                Attributes(property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents()) Entity(reader.GetEventDefinition(e).Type);
            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                Signature(method.DecodeSignature(provider, null));
                Attributes(method.GetCustomAttributes());
            }
        }

        public void Body(MethodBodyBlock body)
        {
            if (!body.LocalSignature.IsNil)
            {
                foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null)) used.UnionWith(local);
            }
            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                var code = il.ReadByte();
                var opcode = code == 0xFE ? (ushort)(0xFE00 | il.ReadByte()) : code;
                switch (Operands[opcode])
                {
                    case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                        Entity(System.Reflection.Metadata.Ecma335.MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        var targets = il.ReadInt32();
                        il.Offset += 4 * targets;
                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8 or OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    default:
                        il.Offset += 4;
                        break;
                }
            }
        }

        private void Signature(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature)
        {
            used.UnionWith(signature.ReturnType);
            foreach (var parameter in signature.ParameterTypes) used.UnionWith(parameter);
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var a in attributes) Entity(reader.GetCustomAttribute(a).Constructor);
        }

        private void Entity(EntityHandle handle)
        {
            if (handle.IsNil) return;
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    used.Add((TypeDefinitionHandle)handle);
                    break;
                case HandleKind.TypeSpecification:
                    used.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null));
                    break;
                case HandleKind.FieldDefinition:
                    used.Add(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MethodDefinition:
                    used.Add(reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                    break;
                case HandleKind.MemberReference:
                    Entity(reader.GetMemberReference((MemberReferenceHandle)handle).Parent);
                    break;
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    Entity(specification.Method);
                    foreach (var argument in specification.DecodeSignature(provider, null)) used.UnionWith(argument);
                    break;
            }
        }
    }

    /// <summary>Decodes a signature into the assembly's own types it names (types of other assemblies are not kept).</summary>
    private sealed class SignatureTypes : ISignatureTypeProvider<ImmutableArray<TypeDefinitionHandle>, object?>
    {
        public ImmutableArray<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];
        public ImmutableArray<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public ImmutableArray<TypeDefinitionHandle> GetSZArrayType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetArrayType(ImmutableArray<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetByReferenceType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPointerType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetPinnedType(ImmutableArray<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableArray<TypeDefinitionHandle> GetGenericInstantiation(ImmutableArray<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableArray<TypeDefinitionHandle>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];
        public ImmutableArray<TypeDefinitionHandle> GetGenericMethodParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeDefinitionHandle> GetGenericTypeParameter(object? genericContext, int index) => [];
        public ImmutableArray<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableArray<TypeDefinitionHandle>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];
        public ImmutableArray<TypeDefinitionHandle> GetModifiedType(ImmutableArray<TypeDefinitionHandle> modifier, ImmutableArray<TypeDefinitionHandle> unmodifiedType, bool isRequired) =>
            [.. modifier, .. unmodifiedType];
    }
}
