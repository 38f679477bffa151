// Service Bus namespace with the `key-events` topic (key created/revoked/rotated events for subscribers).
// SAS (local) auth is disabled; the function app identity may only send to the topic.

@description('Name of the namespace.')
param name string

@description('Azure region.')
param location string

@description('Tags for the resources.')
param tags object

@description('Name of the topic the app publishes key events to.')
param topicName string

@description('Principal id of the function app identity (gets Azure Service Bus Data Sender on the topic).')
param principalId string

var serviceBusDataSenderRoleId = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2024-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    defaultMessageTimeToLive: 'P14D'
    enableBatchedOperations: true
    supportOrdering: false
  }
}

resource dataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, principalId, serviceBusDataSenderRoleId)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSenderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

output name string = namespace.name
// serviceBusEndpoint looks like https://<name>.servicebus.windows.net:443/ ; the SDK wants the bare host name.
output fullyQualifiedNamespace string = split(split(split(namespace.properties.serviceBusEndpoint, '//')[1], '/')[0], ':')[0]
output topicName string = topic.name
