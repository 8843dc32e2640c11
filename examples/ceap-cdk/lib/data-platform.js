'use strict';
const cdk = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');
const ssm = require('aws-cdk-lib/aws-ssm');

// The write path: queues feeding the ETL, filter, score and store steps, and their
// configuration, which names the database tables through the database stack's exports.
class DataPlatformStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const database = `CeapDatabase-${props.stage}`;
    const candidates = cdk.Fn.importValue(`${database}-CandidatesTableName`);
    const config = cdk.Fn.importValue(`${database}-ProgramConfigTableName`);
    const ingest = new sqs.Queue(this, 'IngestQueue', { queueName: `ceap-ingest-${props.stage}` });
    const scoring = new sqs.Queue(this, 'ScoringQueue', { queueName: `ceap-scoring-${props.stage}` });
    new ssm.StringParameter(this, 'CandidatesTableParam', {
      parameterName: `/ceap/${props.stage}/data-platform/candidates-table`,
      stringValue: candidates,
    });
    new ssm.StringParameter(this, 'ProgramConfigTableParam', {
      parameterName: `/ceap/${props.stage}/data-platform/program-config-table`,
      stringValue: config,
    });
    new cdk.CfnOutput(this, 'IngestQueueUrl', { value: ingest.queueUrl });
    new cdk.CfnOutput(this, 'ScoringQueueUrl', { value: scoring.queueUrl });
    new cdk.CfnOutput(this, 'CandidatesTable', { value: candidates });
  }
}

module.exports = { DataPlatformStack };
