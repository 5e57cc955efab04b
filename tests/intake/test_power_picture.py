"""The power picture: every row on one axis, who holds more power in that area."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from intake import review
from intake.questionnaires import load, registry
from tests.console.support import sign_in_with_factor
from tests.intake.test_review import fill

SVG = "{http://www.w3.org/2000/svg}"
FULL_VERSIONS = sorted(version for qid, version in registry() if qid == "full")


def people(version: int, *answers: tuple[str, str, dict]) -> list[review.Person]:
    questionnaire = load("full", version)
    return [review.Person(key, name, questionnaire, given) for key, name, given in answers]


def side(version: int, key: str, lean_id: str, answer: str | None) -> str | None:
    given = {} if answer is None else {lean_id: answer}
    [person] = people(version, (key, "Sam", given))
    return review.lean_side(person, lean_id)


@pytest.mark.parametrize("version", FULL_VERSIONS)
@pytest.mark.parametrize(
    ("lean_id", "answer", "expected"),
    [
        # "Towards whom?": it leans towards whoever has more power.
        ("money_lean", "me", "client"),
        ("money_lean", "partner", "partner"),
        # "Who carries more of it?": carrying more of the care work is less power.
        ("emotional_labour_lean", "me", "partner"),
        ("emotional_labour_lean", "partner", "client"),
        ("social_capital_lean", "me", "client"),
        ("age_health_lean", "partner", "partner"),
        ("communication_lean", "me", "client"),
        ("emotional_labour_lean", "balanced", "balanced"),
        ("emotional_labour_lean", "not_sure", "not_sure"),
        ("money_lean", "prefer_not_to_say", None),
        ("money_lean", None, None),  # skipped
    ],
)
def test_a_clients_lean_answer_lands_on_the_side_that_holds_more_power(
    version, lean_id, answer, expected
):
    assert side(version, "client", lean_id, answer) == expected


@pytest.mark.parametrize(
    ("lean_id", "answer", "expected"),
    [
        # The partner's "me" is the partner: the axis runs between the two of them.
        ("money_lean", "me", "partner"),
        ("money_lean", "partner", "client"),
        ("emotional_labour_lean", "me", "client"),
        ("emotional_labour_lean", "partner", "partner"),
        ("communication_lean", "balanced", "balanced"),
        ("communication_lean", "not_sure", "not_sure"),
        ("communication_lean", None, None),
    ],
)
def test_a_partners_lean_answer_is_turned_to_the_couples_axis(lean_id, answer, expected):
    assert side(FULL_VERSIONS[-1], "partner", lean_id, answer) == expected


def test_both_saying_they_carry_the_care_work_put_each_on_the_others_side():
    couple = people(
        FULL_VERSIONS[-1],
        ("client", "Sam", {"emotional_labour_lean": "me", "money_lean": "me"}),
        ("partner", "Robin", {"emotional_labour_lean": "me", "money_lean": "me"}),
    )
    by_id = {d.id: d for d in review.power_dimensions(couple)}
    assert [r.side for r in by_id["emotional_labour"].readings] == ["partner", "client"]
    assert [r.side for r in by_id["money"].readings] == ["client", "partner"]


def lean_markers(svg_text: str) -> dict[str, list[tuple[float, str]]]:
    """Per dimension, the x and class of each marker on the power axis."""
    svg = ET.fromstring(svg_text)  # noqa: S314 - our own drawing, parsed in a test
    found = {}
    for group in svg.iter(f"{SVG}g"):
        if not group.get("data-dimension"):
            continue
        markers = []
        for marker in group:
            title = marker.find(f"{SVG}title")
            if title is not None and "more power" in title.text:
                x = marker.get("cx") or marker.get("points").split(",")[0]
                markers.append((float(x), marker.get("class")))
        found[group.get("data-dimension")] = markers
    return found


def axis_labels(svg_text: str) -> list[str]:
    svg = ET.fromstring(svg_text)  # noqa: S314
    return [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick-label"][5:8]


def test_one_persons_picture_names_the_ends_and_draws_each_answer_on_them():
    sam = people(
        FULL_VERSIONS[-1],
        (
            "client",
            "Sam",
            {
                "money_lean": "me",
                "emotional_labour_lean": "me",
                "social_capital_lean": "balanced",
                "age_health_lean": "not_sure",
            },
        ),
    )
    drawn = review.power_svg(review.power_dimensions(sam), ["Sam"])
    assert review.POWER_AXIS in drawn
    assert axis_labels(drawn) == ["Sam", review.BALANCED, review.THEIR_PARTNER]
    x = review._LEAN_X
    assert lean_markers(drawn) == {
        "money": [(x["client"], "marker series-0")],
        "emotional_labour": [(x["partner"], "marker series-0")],
        "social_capital": [(x["balanced"], "marker series-0")],
        "age_health": [],  # not sure: said in the table, not placed on the axis
        "communication": [],  # skipped
    }


def test_a_couples_picture_runs_between_the_two_named_partners():
    couple = people(
        FULL_VERSIONS[-1],
        ("client", "Sam", {"emotional_labour_lean": "me"}),
        ("partner", "Robin", {"emotional_labour_lean": "partner", "money_lean": "me"}),
    )
    drawn = review.power_svg(review.power_dimensions(couple), ["Sam", "Robin"])
    assert axis_labels(drawn) == ["Sam", review.BALANCED, "Robin"]
    x = review._LEAN_X
    markers = lean_markers(drawn)
    # Both say Sam carries the care work, so both put the power on Robin's side.
    assert sorted(markers["emotional_labour"]) == [
        (x["partner"], "marker series-0"),
        (x["partner"], "marker series-1"),
    ]
    assert markers["money"] == [(x["partner"], "marker series-1")]


@pytest.mark.django_db
def test_the_table_beside_the_picture_keeps_each_questions_own_words(
    client, practitioner_user, assignment, now
):
    fill(assignment, now, {"in_relationship": "yes", "emotional_labour_lean": "me"})
    sign_in_with_factor(client, practitioner_user)
    url = reverse("intake:booking_review", kwargs={"public_id": assignment.booking.public_id})
    html = client.get(url).content.decode()
    table = html[html.index('<table class="power-table">') : html.index("</table>")]
    row = table[table.index("Emotional labour and care work") :]
    row = row[: row.index("</tr>")]
    assert "If it leans one way, who carries more of it?</span>" in row
    assert '<td data-name="Sam Client">Not answered<br>Mostly me</td>' in row
    assert "more power, their partner" in html  # the picture's description


def test_a_long_name_at_an_end_of_the_axis_is_cut_short_but_whole_in_the_legend():
    couple = people(
        FULL_VERSIONS[-1],
        ("client", "Alexandra Montgomery-Whitfield", {"money_lean": "me"}),
        ("partner", "Jo Li", {}),
    )
    names = ["Alexandra Montgomery-Whitfield", "Jo Li"]
    drawn = review.power_svg(review.power_dimensions(couple), names)
    assert axis_labels(drawn) == ["Alexandra…", review.BALANCED, "Jo Li"]
    assert "Alexandra Montgomery-Whitfield</text>" in drawn  # the legend
