"""An existing website gets Amazon Connect chat from connect-chat's components, in Python.

The start-chat API, a transcript watcher on the transcripts the instance already writes, the
package's alarms, and one alarm of this program's own on a resource ChatApi hands out.
"""
import pulumi
import pulumi_aws as aws

# The SDK `pulumi package add` generated under sdks/: its module is named after the git URL's
# owner and the package (github.com/example-org/connect-chat: example_org_connect_chat). The
# command prints this line; use the one it prints for your repository's URL.
import example_org_connect_chat as connect_chat

config = pulumi.Config()
instance_id = config.require("instanceId")

api = connect_chat.ChatApi(
    "chat",
    instance_id=instance_id,
    contact_flow_id=config.require("contactFlowId"),
    # Only the site's own pages may call the API from a browser.
    allowed_origins=config.require_object("siteOrigins"),
    # A returning customer's new chat carries their whole previous chat, not only its last segment.
    rehydration=connect_chat.RehydrationMode.ENTIRE_PAST_SESSION,
    throttle=connect_chat.StageThrottleArgs(rate_limit=20, burst_limit=40),
    # The watcher below marks chats ended as their transcripts land, so a chat handed back to its
    # customer needs asking Connect about only every 5 minutes.
    live_check_seconds=300,
    # A cap on what a flood of requests can cost; ChatAlarms alarms when it throttles.
    reserved_concurrency=50,
    deletion_protection=True,
)

watcher = connect_chat.TranscriptWatcher(
    "transcripts",
    chats_table=connect_chat.ChatsTableRefArgs(name=api.table_name, arn=api.table_arn),
    existing_storage=connect_chat.ExistingTranscriptStorageArgs(
        bucket=config.require("transcriptBucket"),
        prefix=config.require("transcriptPrefix"),
    ),
)

alarms = connect_chat.ChatAlarms(
    "alarms",
    chat_api=connect_chat.WatchedChatApiArgs(
        api_id=api.api_id,
        function_name=api.function_name,
        table_name=api.table_name,
    ),
    transcripts=connect_chat.WatchedTranscriptsArgs(
        function_name=watcher.function_name,
        dead_letter_queue_name=watcher.dead_letter_queue_name,
    ),
    email=config.require("alarmEmail"),
    instance_id=instance_id,
)

# ChatApi hands out the resources it creates, so a program adds to them without forking it. The
# package's alarms watch errors and throttles; slow chat starts (Connect answering slowly) are
# watched here, on the start-chat function itself, and reported to the same topic.
aws.cloudwatch.MetricAlarm(
    "start-chat-slow",
    alarm_description="The slowest 1% of chat starts took over 5 seconds, three times running",
    namespace="AWS/Lambda",
    metric_name="Duration",
    dimensions={"FunctionName": api.start_chat_function.name},
    extended_statistic="p99",
    period=300,
    evaluation_periods=3,
    threshold=5000,
    comparison_operator="GreaterThanThreshold",
    treat_missing_data="notBreaching",
    alarm_actions=[alarms.topic_arn],
    ok_actions=[alarms.topic_arn],
)

# Where the site's chat client posts.
pulumi.export("chatApiUrl", api.url)
pulumi.export("chatsTableName", api.table_name)
