#!/usr/bin/env node
// Seed 001's CEAP infrastructure after the consolidation (7 -> 3 stacks), and the six old
// workflow stacks that the rollout deletes in its cleanup phase. Plain JavaScript: no compile step.
'use strict';
const cdk = require('aws-cdk-lib');
const { DatabaseStack } = require('./lib/database');
const { DataPlatformStack } = require('./lib/data-platform');
const { ServingApiStack } = require('./lib/serving-api');
const { LegacyWorkflowStack, LEGACY_WORKFLOWS } = require('./lib/legacy');

const app = new cdk.App();
const stage = app.node.tryGetContext('environment') || 'prod';
// moto (and a real account) both answer for this account and region.
const env = { account: process.env.CDK_DEFAULT_ACCOUNT || '123456789012', region: process.env.CDK_DEFAULT_REGION || 'us-east-1' };

const database = new DatabaseStack(app, `CeapDatabase-${stage}`, { env, stage });
const platform = new DataPlatformStack(app, `CeapDataPlatform-${stage}`, { env, stage });
const serving = new ServingApiStack(app, `CeapServingAPI-${stage}`, { env, stage });
// The imports go through exported names (Fn.importValue), so CDK does not know the order:
// say it, so that the cloud assembly carries it and tfstage can order the deploys.
platform.addStackDependency(database);
serving.addStackDependency(database);

for (const name of LEGACY_WORKFLOWS) new LegacyWorkflowStack(app, `Ceap${name}-${stage}`, { env, stage, name });

app.synth();
