// Azure Managed Redis (the successor of the retiring Azure Cache for Redis): the shared (L2) validation cache, the
// FusionCache backplane and the rate limiter's counters. TLS only (port 10000); access keys are disabled, so the only
// way in is Entra ID: the function app's identity holds the data access policy 'default' and signs in with a token.
// No Redis secret exists anywhere (see docs/deploy.md).

@description('Name of the cluster.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Azure Managed Redis SKU, e.g. Balanced_B0 (smallest), Balanced_B1, MemoryOptimized_M10, ComputeOptimized_X3.')
param skuName string = 'Balanced_B0'

@description('Replicated shards (a failover keeps the data). Disabled halves the price; Redis then loses its data on a failure, which the app survives (docs/operations.md).')
@allowed([
  'Enabled'
  'Disabled'
])
param highAvailability string = 'Enabled'

// NoCluster: one shard, a plain endpoint, and the only policy that can be changed after creation (to OSSCluster when
// the load needs several shards; the app is cluster-safe, docs/rate-limits.md). OSSCluster and EnterpriseCluster are
// fixed at creation, and a key cache of this size gains nothing from sharding.
@description('Clustering policy of the database. NoCluster (default) can later be changed to a cluster policy; the other two are fixed at creation.')
@allowed([
  'NoCluster'
  'OSSCluster'
  'EnterpriseCluster'
])
param clusteringPolicy string = 'NoCluster'

@description('Principal (object) id of the function app identity: gets the data access policy default.')
param principalId string

resource cluster 'Microsoft.Cache/redisEnterprise@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: highAvailability
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-04-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    clusteringPolicy: clusteringPolicy
    // Every key the app writes has a TTL (cache entries, rate buckets, quota counters), so volatile-LRU evicts only
    // what was least recently used: a cold key's cache entry (read again from Table Storage), its rate bucket (already
    // refilled when cold) or its quota counter (rebuilt from the usage aggregates). NoEviction would instead refuse the
    // limiter's writes for every key once memory is full.
    evictionPolicy: 'VolatileLRU'
    accessKeysAuthentication: 'Disabled'
  }
}

resource appAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-04-01' = {
  parent: database
  name: 'app${uniqueString(principalId)}'
  properties: {
    accessPolicyName: 'default'
    user: {
      objectId: principalId
    }
  }
}

output name string = cluster.name
output hostName string = cluster.properties.hostName
output port int = database.properties.port
