'use strict';
const cdk = require('aws-cdk-lib');
const sqs = require('aws-cdk-lib/aws-sqs');
const ssm = require('aws-cdk-lib/aws-ssm');

// The read path: the serving API's configuration, naming the tables it reads through the
// database stack's exports, and the queue of its reactive workflow.
class ServingApiStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    const database = `CeapDatabase-${props.stage}`;
    const candidates = cdk.Fn.importValue(`${database}-CandidatesTableName`);
    const scores = cdk.Fn.importValue(`${database}-ScoreCacheTableName`);
    const scoresArn = cdk.Fn.importValue(`${database}-ScoreCacheTableArn`);
    const events = new sqs.Queue(this, 'ReactiveEventsQueue', { queueName: `ceap-reactive-events-${props.stage}` });
    new ssm.StringParameter(this, 'CandidatesTableParam', {
      parameterName: `/ceap/${props.stage}/serving-api/candidates-table`,
      stringValue: candidates,
    });
    new ssm.StringParameter(this, 'ScoreCacheTableParam', {
      parameterName: `/ceap/${props.stage}/serving-api/score-cache-table`,
      stringValue: scores,
    });
    new cdk.CfnOutput(this, 'ReactiveEventsQueueUrl', { value: events.queueUrl });
    new cdk.CfnOutput(this, 'ScoreCacheTableArn', { value: scoresArn });
  }
}

module.exports = { ServingApiStack };
