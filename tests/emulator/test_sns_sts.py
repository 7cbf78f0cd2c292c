"""Emulator: sns -> sqs across accounts, the envelope, sns errors, and sts AssumeRole denied per role ARN."""

import json
import xml.etree.ElementTree as ET

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator_client import MGMT, R1, R2, post, code


# ------------------------------------------------------------------ sns -> sqs
@pytest.mark.parametrize("subscriber", ["topic-owner", "queue-owner"])
def test_sns_to_sqs_across_accounts_with_attributes(aws, org, subscriber):
    sns, sqs = aws.client("sns", org[0]), aws.client("sqs", org[1])
    topic = sns.create_topic(Name="findings")["TopicArn"]
    queues = {}
    for raw in (True, False):
        q = sqs.create_queue(QueueName=f"sub-{raw}")["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert q_arn.split(":")[4] == org[1]
        who = sns if subscriber == "topic-owner" else aws.client("sns", org[1])
        who.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn,
                      Attributes={"RawMessageDelivery": str(raw).lower()})
        queues[raw] = q
    attrs = {"severity": {"DataType": "String", "StringValue": "CRITICAL"},
             "rule": {"DataType": "String", "StringValue": "IDC002"}}
    sns.publish(TopicArn=topic, Message='{"rule": "IDC002"}', Subject="[CRITICAL] IDC002", MessageAttributes=attrs)
    raw_msgs = sqs.receive_message(QueueUrl=queues[True], MessageAttributeNames=["All"])["Messages"]
    assert raw_msgs[0]["Body"] == '{"rule": "IDC002"}'
    assert raw_msgs[0]["MessageAttributes"]["severity"] == {"StringValue": "CRITICAL", "DataType": "String"}
    envelope = json.loads(sqs.receive_message(QueueUrl=queues[False])["Messages"][0]["Body"])
    assert envelope["TopicArn"] == topic and envelope["Subject"] == "[CRITICAL] IDC002"
    assert envelope["MessageAttributes"]["rule"] == {"Type": "String", "Value": "IDC002"}


@pytest.mark.parametrize("subscriber, region", [("topic-owner", R1), ("queue-owner", R1), ("queue-owner", R2)])
def test_envelope_names_the_subscription_in_unsubscribe_url(aws, org, subscriber, region):
    sns, sqs = aws.client("sns", org[0], region), aws.client("sqs", org[1], region)
    topic = sns.create_topic(Name="findings")["TopicArn"]
    q = sqs.create_queue(QueueName="envelopes")["QueueUrl"]
    q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    who = sns if subscriber == "topic-owner" else aws.client("sns", org[1], region)
    sub = who.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sub.startswith(topic + ":")  # a subscription ARN lives under its topic: topic's account and Region
    sns.publish(TopicArn=topic, Message="m")
    envelope = json.loads(sqs.receive_message(QueueUrl=q)["Messages"][0]["Body"])
    assert envelope["UnsubscribeURL"] == (
        f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}")
    assert envelope["SigningCertURL"].startswith(f"https://sns.{region}.amazonaws.com/")


def _sns_error(raw):
    """(HTTP status, content type, Type, Code, Message) of an awsQuery error answer."""
    ns = {"s": "http://sns.amazonaws.com/doc/2010-03-31/"}
    root = ET.fromstring(raw.content)
    assert root.tag == "{%s}ErrorResponse" % ns["s"]
    return (raw.status_code, raw.headers["Content-Type"].split(";")[0],
            *(root.findtext(f"s:Error/s:{k}", namespaces=ns) for k in ("Type", "Code", "Message")))


def test_malformed_or_unknown_topic_arns_answer_awsquery_errors(aws, org):
    sns, raw = aws.client("sns", org[0]), []
    sns.meta.events.register("after-call.sns.*", lambda http_response, **_: raw.append(http_response))
    topic = sns.create_topic(Name="t")["TopicArn"]
    invalid = lambda name: (400, "text/xml", "Sender", "InvalidParameter", f"Invalid parameter: {name}")  # noqa: E731
    bad_arns = ["not-an-arn", f"arn:aws:sns:{R1}:{org[0]}", f"arn:aws:sqs:{R1}:{org[0]}:t", f"arn:aws:sns:{R1}:123:t",
                topic.replace(R1, R2)]  # another Region's topic, asked in this one
    calls = [("publish", "TopicArn", {"Message": "m"}), ("publish", "TargetArn", {"Message": "m"}),
             ("get_topic_attributes", "TopicArn", {}), ("subscribe", "TopicArn", {"Protocol": "sqs",
                                                                                  "Endpoint": "arn:aws:sqs:x:1:q"})]
    for bad in bad_arns:
        for call, param, kwargs in calls:
            with pytest.raises(ClientError) as e:
                getattr(sns, call)(**{param: bad}, **kwargs)
            assert code(e) == "InvalidParameter", (bad, call, param)
            assert _sns_error(raw[-1]) == invalid("TargetArn" if param == "TargetArn" else "TopicArn"), (bad, call)
    with pytest.raises(ClientError) as e:  # well-formed, but there is no such topic
        sns.publish(TopicArn=topic + "-gone", Message="m")
    assert code(e) == "NotFound"
    assert _sns_error(raw[-1]) == (404, "text/xml", "Sender", "NotFound", "Topic does not exist")
    assert sns.publish(TopicArn=topic, Message="m")["MessageId"]  # the real one still works


def test_publish_succeeds_when_a_subscribed_queue_is_gone(aws, org):
    sns, sqs = aws.client("sns", org[0]), aws.client("sqs", org[1])
    topic = sns.create_topic(Name="t")["TopicArn"]
    arns = {}
    for name in ("gone", "kept"):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
        arns[name] = (url, attrs["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arns[name][1], Attributes={"RawMessageDelivery": "true"})
    sqs.delete_queue(QueueUrl=arns["gone"][0])
    assert sns.publish(TopicArn=topic, Message="m")["MessageId"]  # delivery fails later, not the publish
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=arns["kept"][0])["Messages"]] == ["m"]


# ------------------------------------------------------------------ sts
def test_deny_assume_role_is_exact_to_the_role_arn(aws):
    member, elsewhere = "111111111111", "222222222222"
    denied = f"arn:aws:iam::{member}:role/IdcGuardrailMemberRole"
    status, body = post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied})
    assert (status, body) == (200, {"denied_role_arns": [denied]})
    sts, raw = aws.client("sts"), []
    sts.meta.events.register("after-call.sts.*", lambda http_response, **_: raw.append(http_response))
    with pytest.raises(ClientError) as e:
        sts.assume_role(RoleArn=denied, RoleSessionName="sweep")
    assert code(e) == "AccessDenied" and e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # The awsQuery error body the AWS SDKs parse: Error directly under ErrorResponse.
    assert raw[-1].status_code == 403 and raw[-1].headers["Content-Type"].startswith("text/xml")
    ns = {"s": "https://sts.amazonaws.com/doc/2011-06-15/"}
    root = ET.fromstring(raw[-1].content)
    assert root.tag == "{%s}ErrorResponse" % ns["s"]
    assert [c.tag.split("}")[1] for c in root] == ["Error", "RequestId"]
    assert root.findtext("s:Error/s:Type", namespaces=ns) == "Sender"
    assert root.findtext("s:Error/s:Code", namespaces=ns) == "AccessDenied"
    assert root.findtext("s:Error/s:Message", namespaces=ns) == (
        f"User: arn:aws:sts::{MGMT}:user/moto is not authorized to perform: sts:AssumeRole "
        f"on resource: {denied}")
    assert root.findtext("s:RequestId", namespaces=ns) not in (None, "", "-")
    # Exact to the ARN: another role in that account, the same name elsewhere, still work.
    for ok in (f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole",
               f"arn:aws:iam::{elsewhere}:role/IdcGuardrailMemberRole"):
        creds = sts.assume_role(RoleArn=ok, RoleSessionName="sweep")["Credentials"]
        who = boto3.client("sts", region_name=R1, endpoint_url=aws.url, aws_access_key_id=creds["AccessKeyId"],
                           aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
        assert who.get_caller_identity()["Account"] == ok.split(":")[4]
    with pytest.raises(ClientError) as e:  # the caller is named as it is: here an assumed role
        aws.client("sts", elsewhere).assume_role(RoleArn=denied, RoleSessionName="sweep")
    assert e.value.response["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{elsewhere}:assumed-role/OrganizationAccountAccessRole/idc-guardrail-test is not")
    # Undo.
    status, body = post(aws.url, "/idc-guardrail/deny-assume-role", {"role_arn": denied, "deny": False})
    assert (status, body) == (200, {"denied_role_arns": []})
    assert sts.assume_role(RoleArn=denied, RoleSessionName="sweep")["Credentials"]["AccessKeyId"]
    for bad in ({"role_arn": "IdcGuardrailMemberRole"}, {"role_arn": f"arn:aws:iam::{member}:user/x"},
                {"role_arn": denied, "deny": "no"}, {}):
        status, body = post(aws.url, "/idc-guardrail/deny-assume-role", bad)
        assert status == 400 and body["__type"] == "ValidationException", bad
    assert post(aws.url, "/idc-guardrail/state", method="GET")[1]["denied_role_arns"] == []
