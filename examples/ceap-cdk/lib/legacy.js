'use strict';
const cdk = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');

// The seven-stack architecture's six workflow stacks (the seventh, the database, stays).
// They exist before the rollout (before.yaml deploys them) and its cleanup phase deletes them.
const LEGACY_WORKFLOWS = ['EtlWorkflow', 'FilterWorkflow', 'ScoreWorkflow', 'StoreWorkflow', 'ReactiveWorkflow', 'Orchestration'];

class LegacyWorkflowStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const queue = new sqs.Queue(this, 'WorkQueue', { queueName: `ceap-legacy-${props.name.toLowerCase()}-${props.stage}` });
    new cdk.CfnOutput(this, 'WorkQueueUrl', { value: queue.queueUrl });
  }
}

module.exports = { LegacyWorkflowStack, LEGACY_WORKFLOWS };
