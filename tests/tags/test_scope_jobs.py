"""Data scope of batch tag jobs (issue 14 point 13): a job's status (its size, progress and
errors name customers) is seen by the user who started it and by full-access roles only."""

from __future__ import annotations

import httpx

from tests.accounts.conftest import Team
from tests.accounts.conftest import as_role as as_role  # the fixture, re-exported
from tests.accounts.conftest import team as team  # the fixture, re-exported


def _a_tag(client: httpx.Client) -> str:
    groups = client.get("/api/v1/tags/groups").json()
    return str(next(t["tag_id"] for g in groups for t in g["tags"]))


async def test_job_status_per_role(
    api: httpx.Client, as_role: dict[str, httpx.Client], team: Team
) -> None:
    admin, operator = as_role["admin"], as_role["operator"]
    manager, staff = as_role["manager"], as_role["staff"]
    tag = _a_tag(admin)
    hq = admin.post("/api/v1/tags/batch", json={"add": [tag], "filter": {}})
    assert hq.status_code == 202, hq.text
    hq_job = hq.json()["id"]
    mine = staff.get("/api/v1/customers", params={"limit": 3}).json()["items"]
    own = staff.post("/api/v1/tags/batch", json={"add": [tag], "customer_ids": [mine[0]["id"]]})
    assert own.status_code == 202, own.text
    own_job = own.json()["id"]
    # the starter and full-access roles see a job
    for client in (admin, operator, api):
        assert client.get(f"/api/v1/tags/batch/{hq_job}").status_code == 200
        assert client.get(f"/api/v1/tags/batch/{own_job}").status_code == 200
    assert staff.get(f"/api/v1/tags/batch/{own_job}").json()["total"] >= 1
    # another user's job is unknown to a manager or a staff member, status and cancel alike
    for client in (manager, staff):
        r = client.get(f"/api/v1/tags/batch/{hq_job}")
        assert r.status_code == 404 and "total" not in r.json()
        assert client.post(f"/api/v1/tags/batch/{hq_job}/cancel").status_code == 404
    assert manager.get(f"/api/v1/tags/batch/{own_job}").status_code == 404
    assert manager.post(f"/api/v1/tags/batch/{own_job}/cancel").status_code == 404
