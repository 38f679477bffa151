// Function app on the Flex Consumption plan (FC1), .NET 10 isolated worker, running as a user-assigned identity.
// Every connection is identity-based (Redis included); the one secret (cache pepper) is a Key Vault reference.

@description('Name of the function app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Azure region.')
param location string

@description('Tags for the plan.')
param tags object

@description('Value of the azd-service-name tag (the service name in azure.yaml).')
param serviceName string

@description('Resource id of the user-assigned identity.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Blob endpoint of the storage account.')
param storageBlobEndpoint string

@description('Queue endpoint of the storage account.')
param storageQueueEndpoint string

@description('Table endpoint of the storage account.')
param storageTableEndpoint string

@description('Application Insights connection string (not a secret: ingestion requires an Entra token).')
param appInsightsConnectionString string

@description('Host name of the Azure Managed Redis cluster.')
param redisHostName string

@description('TLS port of the Azure Managed Redis database.')
param redisPort int

@description('Key Vault secret URI of the cache pepper.')
param cachePepperSecretUri string

@description('Host name of the Service Bus namespace.')
param serviceBusFullyQualifiedNamespace string

@description('Service Bus topic for key events.')
param serviceBusTopicName string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Maximum number of instances.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Prefix of every table and queue name.')
param tablePrefix string = ''

@description('Events buffered in process per instance before usage events are dropped (and counted).')
@minValue(1000)
param usageBufferCapacity int = 100000

@description('Longest wait of a usage event in the in-process buffer before it is sent, in milliseconds (at most 1000).')
@minValue(10)
@maxValue(1000)
param usageFlushIntervalMilliseconds int = 1000

@description('Prefix of every Redis key and channel.')
param redisKeyPrefix string = 'hk'

@description('Redis connect/sync/async timeout in milliseconds.')
param redisTimeoutMilliseconds int = 250

@description('In-process (L1) cache lifetime in seconds.')
param cacheLocalSeconds int = 30

@description('Redis (L2) cache lifetime in seconds.')
param cacheSharedSeconds int = 600

@description('Lifetime of a "no such key" cache entry in seconds.')
param cacheNotFoundSeconds int = 10

@description('bcrypt work factor for new key hashes.')
@minValue(4)
@maxValue(16)
param bcryptWorkFactor int = 11

@description('What rate limiting does while Redis is unreachable (docs/rate-limits.md).')
@allowed([
  'local'
  'fail-open'
  'fail-closed'
])
param rateLimitFailureMode string = 'local'

@description('Instances expected to share the load: each enforces limit ÷ this in the local failure mode.')
@minValue(1)
param rateLimitExpectedInstanceCount int = 2

@description('Failed verifications one client address may cause per minute, per instance.')
@minValue(1)
param failuresPerIpPerMinute int = 100

@description('Failed verifications all end users of one trusted gateway may cause per minute, per instance.')
@minValue(1)
param failuresPerGatewayPerMinute int = 1000

@description('Comma-separated CIDRs of gateways that forward end users\' addresses in the verify body (docs/security.md); empty: none.')
param trustedGateways string = ''

@description('Largest cost one verify call may consume.')
@minValue(1)
param maxVerifyCost int = 1000

@description('Longest an admin key may live, in days (0: unlimited): Hokusai:Policy:MaxKeyAgeDays:Admin. Admin keys get this expiry at creation and rotation (docs/security.md).')
@minValue(0)
@maxValue(3650)
param maxAdminKeyAgeDays int = 90

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-11-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Flex Consumption: no FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION (the runtime is in functionAppConfig).
resource appSettings 'Microsoft.Web/sites/config@2024-11-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host storage, identity-based.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint

    // Telemetry with Entra ID auth (local auth is disabled on the component).
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // DefaultAzureCredential / ManagedIdentityCredential pick the user-assigned identity.
    AZURE_CLIENT_ID: identityClientId

    // Hokusai:Storage
    Hokusai__Storage__TableServiceUri: storageTableEndpoint
    Hokusai__Storage__QueueServiceUri: storageQueueEndpoint
    Hokusai__Storage__ManagedIdentityClientId: identityClientId
    Hokusai__Storage__TablePrefix: tablePrefix

    // Hokusai:Redis — Entra ID sign-in with the identity (no connection string, no password).
    Hokusai__Redis__HostName: redisHostName
    Hokusai__Redis__Port: string(redisPort)
    Hokusai__Redis__ManagedIdentityClientId: identityClientId
    Hokusai__Redis__KeyPrefix: redisKeyPrefix
    Hokusai__Redis__TimeoutMilliseconds: string(redisTimeoutMilliseconds)

    // Hokusai:Cache
    Hokusai__Cache__LocalSeconds: string(cacheLocalSeconds)
    Hokusai__Cache__SharedSeconds: string(cacheSharedSeconds)
    Hokusai__Cache__NotFoundSeconds: string(cacheNotFoundSeconds)

    // Hokusai:Security
    Hokusai__Security__BcryptWorkFactor: string(bcryptWorkFactor)
    Hokusai__Security__CachePepper: '@Microsoft.KeyVault(SecretUri=${cachePepperSecretUri})'

    // Hokusai:RateLimiting
    Hokusai__RateLimiting__FailureMode: rateLimitFailureMode
    Hokusai__RateLimiting__ExpectedInstanceCount: string(rateLimitExpectedInstanceCount)
    Hokusai__RateLimiting__FailuresPerIpPerMinute: string(failuresPerIpPerMinute)
    Hokusai__RateLimiting__FailuresPerGatewayPerMinute: string(failuresPerGatewayPerMinute)
    Hokusai__RateLimiting__MaxCost: string(maxVerifyCost)

    // Hokusai:Policy — key-management and other keys stay unlimited unless set here too (README, configuration).
    Hokusai__Policy__MaxKeyAgeDays__Admin: string(maxAdminKeyAgeDays)

    // Hokusai:Network: the worker sees the Functions host on loopback; the client address comes in X-Forwarded-For.
    Hokusai__Network__TrustedProxies: '127.0.0.1/32,::1/128'
    Hokusai__Network__TrustedGateways: trustedGateways

    // Hokusai:LeakReports: GitHub's secret scanning signs its reports with the keys it publishes here (docs/security.md).
    Hokusai__LeakReports__GitHub__KeysUrl: 'https://api.github.com/meta/public_keys/secret_scanning'

    // Hokusai:Usage — the queue trigger reads the queue name from this setting (%Hokusai:Usage:QueueName%) and
    // its account from AzureWebJobsStorage (the same storage account as Hokusai:Storage).
    Hokusai__Usage__QueueName: toLower('${tablePrefix}usage')
    Hokusai__Usage__BufferCapacity: string(usageBufferCapacity)
    Hokusai__Usage__FlushIntervalMilliseconds: string(usageFlushIntervalMilliseconds)

    // Hokusai:ServiceBus
    Hokusai__ServiceBus__FullyQualifiedNamespace: serviceBusFullyQualifiedNamespace
    Hokusai__ServiceBus__TopicName: serviceBusTopicName
  }
}

// No FTP / SCM basic-auth publishing credentials: deployments authenticate with Entra ID.
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-11-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
