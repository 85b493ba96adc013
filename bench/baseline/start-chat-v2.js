/*
 * The baseline: a start-chat Lambda built the way the AWS sample builds its own. aws-sdk v2, with
 * a Connect client and a DynamoDB DocumentClient created at module load, and query + put + update
 * per new chat. Written for the benchmark only; it is never deployed.
 */
const AWS = require("aws-sdk");

const connect = new AWS.Connect({ endpoint: process.env.AWS_ENDPOINT_URL_CONNECT });
const db = new AWS.DynamoDB.DocumentClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
const table = process.env.BASELINE_TABLE;

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  const name = body.ParticipantDetails.DisplayName;
  const userDisplayHash = `${body.Username}${name}`;
  const found = await db.query({
    TableName: table,
    IndexName: "userDisplayHash-nextContactId-index",
    KeyConditionExpression: "userDisplayHash = :user AND nextContactId = :current",
    ExpressionAttributeValues: { ":user": userDisplayHash, ":current": "CURRENT_CHAT" },
  }).promise();
  const result = await connect.startChatContact({
    InstanceId: process.env.CONNECT_INSTANCE_ID,
    ContactFlowId: process.env.CONNECT_CONTACT_FLOW_ID,
    Attributes: { customerName: name, username: body.Username },
    ParticipantDetails: { DisplayName: name },
  }).promise();
  await db.put({ TableName: table, Item: { contactId: result.ContactId, userDisplayHash, nextContactId: "CURRENT_CHAT", startChatResult: JSON.stringify(result), date: Date.now() } }).promise();
  const previous = found.Items[0]?.contactId ?? result.ContactId;
  await db.update({ TableName: table, Key: { contactId: previous }, UpdateExpression: "SET s3Key = :none", ExpressionAttributeValues: { ":none": "NONE" } }).promise();
  return { statusCode: 200, body: JSON.stringify({ data: { startChatResult: result } }) };
};
