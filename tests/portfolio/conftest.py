# The stage-document tests share the lifecycle world (users, boards, helpers) with governance's.
from tests.governance.conftest import logs_world, make_programme, world  # noqa: F401
