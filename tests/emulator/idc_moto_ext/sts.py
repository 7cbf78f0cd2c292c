"""sts: AssumeRole of a role ARN on the deny list answers AccessDenied, as AWS does for a missing role."""

from moto.sts.responses import TokenResponse
from werkzeug.exceptions import HTTPException
from xmltodict import unparse

from .state import STATE


# Stock AssumeRole hands out keys for any role ARN. The organization-wide sweep must report an
# account whose member role is missing (or does not trust the caller) as unreachable, so a test can
# deny exactly one role ARN; AWS answers both cases alike.
class StsAccessDenied(HTTPException):
    """STS (awsQuery) AccessDenied as AWS sends it: HTTP 403, text/xml, Error directly under
    ErrorResponse (moto's own XML errors add an ``Errors`` wrapper, and its serializer would answer
    400 for a code the STS model does not declare)."""

    code = 403

    def __init__(self, message: str):
        super().__init__()
        self.description = unparse({"ErrorResponse": {
            "@xmlns": "https://sts.amazonaws.com/doc/2011-06-15/",
            "Error": {"Type": "Sender", "Code": "AccessDenied", "Message": message},
            "RequestId": "-"}}, full_document=False)  # moto fills in the request id

    def get_headers(self, *args, **kwargs):
        return [("Content-Type", "text/xml")]


_orig_assume_role = TokenResponse.assume_role


def _assume_role(self):
    role_arn = self._get_param("RoleArn")
    if role_arn in STATE["denied_role_arns"]:
        caller_arn = self.backend.get_caller_identity(self.get_access_key(), self.region)[1]
        raise StsAccessDenied(f"User: {caller_arn} is not authorized to perform: sts:AssumeRole "
                              f"on resource: {role_arn}")
    return _orig_assume_role(self)




def install():
    TokenResponse.assume_role = _assume_role
