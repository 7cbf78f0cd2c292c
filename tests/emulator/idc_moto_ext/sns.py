"""sns: delivery into an SQS queue of another account, the envelope's UnsubscribeURL, and topic
ARNs checked as AWS checks them (errors stay awsQuery XML, ``text/xml``, through moto's own
serializer: the extension raises moto's SNS exceptions, never a JSON error, in the SNS API)."""

import re

from moto.sns.exceptions import SNSInvalidParameter
from moto.sns.models import SNSBackend, Subscription, sns_backends
from moto.sns.responses import SNSResponse
from moto.sqs.exceptions import QueueDoesNotExist

from .state import LOCK


_orig_sub_publish = Subscription.publish


def _sub_publish(self, *args, **kwargs):
    # AWS delivers into the queue named by the endpoint ARN, in that ARN's account.
    if self.protocol != "sqs":
        return _orig_sub_publish(self, *args, **kwargs)
    with LOCK:
        owner, self.account_id = self.account_id, self.endpoint.split(":")[4]
        try:
            return _orig_sub_publish(self, *args, **kwargs)
        except QueueDoesNotExist:
            # Delivery is asynchronous in AWS: a subscriber's missing queue is a failed delivery
            # (dropped, or kept by a dead-letter queue), never the publisher's error.
            return None
        finally:
            self.account_id = owner


_orig_subscribe = SNSBackend.subscribe


def _subscribe(self, topic_arn, endpoint, protocol):
    # A subscription made by another account (e.g. the queue owner) belongs to the topic too.
    sub = _orig_subscribe(self, topic_arn, endpoint, protocol)
    topic_account = topic_arn.split(":")[4]
    if topic_account != self.account_id:
        sns_backends[topic_account][topic_arn.split(":")[3]].subscriptions[sub.arn] = sub
    return sub


_orig_post_data = Subscription.get_post_data


def _get_post_data(self, *args, **kwargs):
    # Stock names a fixed us-east-1 subscription of the delivering account; AWS names this
    # subscription (an ARN under the topic: the topic's account and Region).
    data = _orig_post_data(self, *args, **kwargs)
    region = self.topic.arn.split(":")[3]
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    data["UnsubscribeURL"] = f"https://sns.{region}.{domain}/?Action=Unsubscribe&SubscriptionArn={self.arn}"
    return data


# arn:PARTITION:sns:REGION:ACCOUNT:NAME (a topic; platform endpoints have a '/' in NAME).
_SNS_ARN = re.compile(r"arn:aws(-[a-z]+)*:sns:([a-z0-9-]+):(\d{12}):(.+)")


def _well_formed(arn, region: str) -> bool:
    """An SNS ARN of the caller's Region (AWS: "Invalid parameter: TopicArn" otherwise)."""
    match = _SNS_ARN.fullmatch(arn) if isinstance(arn, str) else None
    return match is not None and match.group(2) == region


_orig_get_topic = SNSBackend.get_topic


def _get_topic(self, arn):
    # Stock splits any string and lets Python's ValueError out (HTTP 500, or its text as the
    # message); a topic of another Region is "not found" there.
    if not _well_formed(arn, self.region_name):
        raise SNSInvalidParameter("Invalid parameter: TopicArn")
    return _orig_get_topic(self, arn)


_orig_publish = SNSResponse.publish


def _publish(self):
    target, topic = self._get_param("TargetArn"), self._get_param("TopicArn")
    if self._get_param("PhoneNumber") is None:
        if target is not None and not _well_formed(target, self.region):
            raise SNSInvalidParameter("Invalid parameter: TargetArn")
        if target is None and topic is not None:
            # A missing topic is NotFound "Topic does not exist" (stock: "Endpoint does not exist").
            self.backend.get_topic(topic)
    return _orig_publish(self)


def install():
    Subscription.publish = _sub_publish
    Subscription.get_post_data = _get_post_data
    SNSBackend.subscribe = _subscribe
    SNSBackend.get_topic = _get_topic
    SNSResponse.publish = _publish
