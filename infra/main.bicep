// Hokusai Keys: everything one environment needs, in one resource group.
//   azd up                      (uses main.parameters.json)
//   az deployment group create -g <rg> -f infra/main.bicep -p environmentName=<env>
// See docs/deploy.md.

targetScope = 'resourceGroup'

@description('Name of the environment (azd environment name); used in resource names and the azd-env-name tag.')
@minLength(1)
@maxLength(24)
param environmentName string

@description('Azure region of every resource.')
param location string = resourceGroup().location

@description('Azure Managed Redis SKU (Balanced_B0 is the smallest; docs/deploy.md).')
param redisSkuName string = 'Balanced_B0'

@description('Azure Managed Redis clustering policy (docs/deploy.md): NoCluster can be changed later, the others cannot.')
@allowed([
  'NoCluster'
  'OSSCluster'
  'EnterpriseCluster'
])
param redisClusteringPolicy string = 'NoCluster'

@description('Function instance memory in MB (Flex Consumption: 512, 2048 or 4096).')
@allowed([
  512
  2048
  4096
])
param functionInstanceMemoryMB int = 2048

@description('Maximum number of function instances (Flex Consumption scale-out limit).')
@minValue(1)
@maxValue(1000)
param functionMaximumInstanceCount int = 40

@description('Comma-separated CIDRs of gateways that forward end users\' addresses in the verify body (docs/security.md, "Who is throttled"); empty: none.')
param trustedGateways string = ''

@description('E-mail address the alerts notify (docs/operations.md, "Alerts"); empty: the action group has no receiver.')
param alertEmail string = ''

// No default, and nothing generated here: a pepper made per deployment would change on every deployment, leaving
// instances with different peppers side by side during each rollout (docs/security.md).
@description('Cache pepper stored in Key Vault (at least 32 characters). Generate it once per environment and pass the same value on every deployment (docs/deploy.md).')
@secure()
@minLength(32)
param cachePepper string

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = {
  'azd-env-name': environmentName
}
var serviceName = 'api'
var deploymentContainerName = 'app-package-${resourceToken}'
var keyEventsTopicName = 'key-events'

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: 'id-${environmentName}-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${environmentName}-${resourceToken}'
    appInsightsName: 'appi-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    principalId: identity.outputs.principalId
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  params: {
    name: 'redis-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    skuName: redisSkuName
    clusteringPolicy: redisClusteringPolicy
    principalId: identity.outputs.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    name: 'sb-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    topicName: keyEventsTopicName
    principalId: identity.outputs.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    principalId: identity.outputs.principalId
    cachePepper: cachePepper
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    name: 'func-${environmentName}-${resourceToken}'
    planName: 'plan-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    serviceName: serviceName
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    appInsightsConnectionString: monitoring.outputs.connectionString
    redisHostName: redis.outputs.hostName
    redisPort: redis.outputs.port
    cachePepperSecretUri: keyVault.outputs.cachePepperSecretUri
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    serviceBusTopicName: serviceBus.outputs.topicName
    instanceMemoryMB: functionInstanceMemoryMB
    maximumInstanceCount: functionMaximumInstanceCount
    trustedGateways: trustedGateways
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    namePrefix: '${environmentName}-${resourceToken}'
    location: location
    tags: tags
    workspaceId: monitoring.outputs.logAnalyticsId
    alertEmail: alertEmail
  }
}

output AZURE_LOCATION string = location
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output functionAppName string = functionApp.outputs.name
output baseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'
