using Azure.Core;
using Azure.Identity;

namespace Hokusai.Keys.Azure.Tables;

internal static class AzureCredentials
{
    /// <summary>DefaultAzureCredential, pinned to a user-assigned identity when its client id is configured.</summary>
    public static TokenCredential Create(string? managedIdentityClientId) =>
        new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = managedIdentityClientId });
}
