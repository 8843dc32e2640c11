'use strict';
const cdk = require('aws-cdk-lib');
const dynamodb = require('aws-cdk-lib/aws-dynamodb');

// The storage layer: three DynamoDB tables, each exported by name and ARN (six outputs).
const TABLES = ['Candidates', 'ProgramConfig', 'ScoreCache'];

class DatabaseStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    for (const table of TABLES) {
      const t = new dynamodb.Table(this, `${table}Table`, {
        tableName: `ceap-${table.toLowerCase()}-${props.stage}`,
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        removalPolicy: cdk.RemovalPolicy.DESTROY,
      });
      new cdk.CfnOutput(this, `${table}TableName`, { value: t.tableName, exportName: `${id}-${table}TableName` });
      new cdk.CfnOutput(this, `${table}TableArn`, { value: t.tableArn, exportName: `${id}-${table}TableArn` });
    }
  }
}

module.exports = { DatabaseStack, TABLES };
