"""sns -> sqs across accounts: delivery into the queue's own account."""

from moto.sns.models import SNSBackend, Subscription, sns_backends

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




def install():
    Subscription.publish = _sub_publish
    SNSBackend.subscribe = _subscribe
