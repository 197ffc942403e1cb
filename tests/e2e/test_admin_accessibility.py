"""axe-core on the admin pages an editor works in: the desk, the story list, the story form, the
fronts and the arrange screen."""

import pytest

from .support import log_in
from .test_accessibility import axe_violations


def admin_pages(story):
    return {
        "desk": "/admin/",
        "story list": "/admin/articles/article/",
        "story form": f"/admin/articles/article/{story.pk}/change/",
        "new story": "/admin/articles/article/add/",
        "fronts": "/admin/fronts/front/",
        "arrange screen": f"/admin/fronts/front/{home_front().pk}/change/",
    }


def home_front():
    from fronts.models import Front

    return Front.objects.get_or_create(section=None)[0]


@pytest.mark.parametrize(
    "name", ["desk", "story list", "story form", "new story", "fronts", "arrange screen"]
)
def test_no_serious_or_critical_axe_violations_in_the_admin(open_page, seed, editor_user, name):
    page = open_page()
    log_in(page, editor_user.username)
    path = admin_pages(seed)[name]
    response = page.goto(path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], f"axe on {path}:\n" + "\n".join(violations)
