// Azure Cache for Redis: the shared (L2) validation cache and the FusionCache backplane.
// TLS only (port 6380), TLS 1.2 minimum. The app authenticates with the access key, which never leaves
// Azure Resource Manager and Key Vault (see keyvault.bicep).

@description('Name of the cache.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resource.')
param tags object

@description('Redis SKU name.')
@allowed([
  'Basic'
  'Standard'
  'Premium'
])
param skuName string = 'Basic'

@description('Redis SKU family: C for Basic/Standard, P for Premium.')
@allowed([
  'C'
  'P'
])
param skuFamily string = 'C'

@description('Redis SKU capacity (C0-C6, P1-P5).')
@minValue(0)
@maxValue(6)
param skuCapacity int = 0

resource redis 'Microsoft.Cache/redis@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: skuName
      family: skuFamily
      capacity: skuCapacity
    }
    enableNonSslPort: false
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    redisVersion: '6'
  }
}

output name string = redis.name
output hostName string = redis.properties.hostName
output sslPort int = redis.properties.sslPort
