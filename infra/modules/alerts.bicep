// Alert rules on the Log Analytics workspace (table AppMetrics, where the app's OpenTelemetry metrics land) and the
// action group they notify. Each rule's query is a file of infra/alerts/ (docs/operations.md: what fires, runbook);
// a query returns rows only when its condition holds, so every rule fires on "more than 0 rows".

@description('Prefix of the resource names.')
param namePrefix string

@description('Azure region of the alert rules (the action group is global).')
param location string

@description('Tags for the resources.')
param tags object

@description('Resource id of the Log Analytics workspace the rules query.')
param workspaceId string

@description('E-mail address the action group notifies; empty: the action group has no receiver.')
param alertEmail string = ''

var alerts = [
  {
    name: 'failed-auth-spike'
    description: 'Failed key validations over a threshold and over a multiple of their daily baseline.'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'P1D'
    query: loadTextContent('../alerts/failed-auth-spike.kql')
  }
  {
    name: 'rate-limit-spike'
    description: 'Many rate-limited answers for the keys of one owner bucket.'
    severity: 3
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    query: loadTextContent('../alerts/rate-limit-spike.kql')
  }
  {
    name: 'quota-exceeded-spike'
    description: 'Many quota-exceeded answers for the keys of one owner bucket.'
    severity: 3
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: loadTextContent('../alerts/quota-exceeded-spike.kql')
  }
  {
    name: 'key-many-addresses'
    description: 'A key used from many distinct client addresses within one hour.'
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    query: loadTextContent('../alerts/key-many-addresses.kql')
  }
  {
    name: 'leak-reports'
    description: 'A leak report revoked or flagged a key.'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: loadTextContent('../alerts/leak-reports.kql')
  }
  {
    name: 'usage-poison-queue'
    description: 'The usage poison queue holds messages that were never counted.'
    severity: 3
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    query: loadTextContent('../alerts/usage-poison-queue.kql')
  }
  {
    name: 'outbox-backlog'
    description: 'A lifecycle event has waited too long to reach Service Bus.'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    query: loadTextContent('../alerts/outbox-backlog.kql')
  }
  {
    name: 'redis-unavailable'
    description: 'An instance has had no Redis connection for minutes (cache L2, backplane and rate limits degraded).'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    query: loadTextContent('../alerts/redis-unavailable.kql')
  }
]

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'hokusai'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'operator'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

resource rules 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [
  for alert in alerts: {
    name: 'alert-${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: 'Hokusai Keys ${namePrefix}: ${alert.name}'
      description: alert.description
      severity: alert.severity
      enabled: true
      evaluationFrequency: alert.evaluationFrequency
      windowSize: alert.windowSize
      scopes: [
        workspaceId
      ]
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: true
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

output actionGroupId string = actionGroup.id
output alertRuleNames string[] = [for (alert, i) in alerts: rules[i].name]
