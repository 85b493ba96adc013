import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderFlow } from "../contact-flows/flows";
import { ArgChecks } from "./args";

export interface ContactFlowsArgs {
  /** Amazon Connect instance id (the UUID at the end of the instance ARN). */
  instanceId: pulumi.Input<string>;
  /** Queue chats fall back to when no named agent can take them. Default `BasicQueue`. */
  defaultQueueName?: pulumi.Input<string>;
  /** Start of the flows' names in the Connect console. Default `connect-chat <stack>`. */
  namePrefix?: string;
}

/**
 * The chat flow and its customer-remaining (disconnect) flow from `contact-flows/`, created on the
 * instance instead of imported by hand. Their content is checked before Connect sees it.
 */
export class ContactFlows extends pulumi.ComponentResource {
  /** Id of the flow new chats run: ChatApi's `contactFlowId`. */
  readonly chatFlowId: pulumi.Output<string>;
  /** The chat flow's ARN. */
  readonly chatFlowArn: pulumi.Output<string>;
  /** Id of the flow a chat runs when the agent leaves (set by the chat flow). */
  readonly disconnectFlowId: pulumi.Output<string>;
  /** The chat flow itself: add tags. */
  readonly chatFlow: aws.connect.ContactFlow;
  /** The disconnect flow itself. */
  readonly disconnectFlow: aws.connect.ContactFlow;

  constructor(name: string, args: ContactFlowsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("connect-chat:index:ContactFlows", name, {}, opts);
    new ArgChecks(this)
      .connectId("instanceId", args.instanceId)
      .expect(args.defaultQueueName !== "", "defaultQueueName", "must not be empty")
      .expect(args.namePrefix !== "", "namePrefix", "must not be empty")
      .done();
    const parent = { parent: this };
    const namePrefix = args.namePrefix ?? `connect-chat ${pulumi.getStack()}`;
    const defaultQueue = aws.connect.getQueueOutput({ instanceId: args.instanceId, name: args.defaultQueueName ?? "BasicQueue" }, parent);

    const disconnect = new aws.connect.ContactFlow(`${name}-chat-disconnect`, {
      instanceId: args.instanceId,
      name: `${namePrefix} chat disconnect`,
      description: "Tells the customer the agent left and waits up to 8 hours for them to return (contact-flows/chat-disconnect.json)",
      type: "CONTACT_FLOW",
      content: defaultQueue.arn.apply((queueArn) => renderFlow("chat-disconnect", { DEFAULT_QUEUE_ARN: queueArn })),
    }, parent);
    const chat = new aws.connect.ContactFlow(`${name}-chat`, {
      instanceId: args.instanceId,
      name: `${namePrefix} chat`,
      description: "Greets the customer and routes the chat to the named agent or the default queue (contact-flows/chat.json)",
      type: "CONTACT_FLOW",
      content: pulumi.all([defaultQueue.arn, disconnect.arn]).apply(([queueArn, disconnectArn]) =>
        renderFlow("chat", { DEFAULT_QUEUE_ARN: queueArn, DISCONNECT_FLOW_ARN: disconnectArn })),
    }, parent);

    this.chatFlowId = chat.contactFlowId;
    this.chatFlowArn = chat.arn;
    this.disconnectFlowId = disconnect.contactFlowId;
    this.chatFlow = chat;
    this.disconnectFlow = disconnect;
    this.registerOutputs({ chatFlowId: this.chatFlowId, chatFlowArn: this.chatFlowArn, disconnectFlowId: this.disconnectFlowId, chatFlow: chat, disconnectFlow: disconnect });
  }
}
