"""An error is a list of problems, each (field, code, message); a person reads messages, never codes."""

from __future__ import annotations

from prosumo.core.errors import InvalidInput, NotFound, Problem


def test_a_code_under_a_field_takes_the_errors_message():
    error = InvalidInput("At most 8 tags.", fields={"tags": ["too_many"]})
    assert error.problems() == [Problem("tags", "too_many", "At most 8 tags.")]
    assert error.text() == "At most 8 tags."


def test_a_sentence_under_a_field_is_its_own_message_under_the_errors_code():
    error = InvalidInput(
        "The idea could not be submitted.",
        fields={
            "title": ["The title needs 5 to 160 characters."],
            "body": ["Describe the idea in 20 to 20000 characters."],
        },
    )
    assert error.problems() == [
        Problem("title", "invalid", "The title needs 5 to 160 characters."),
        Problem("body", "invalid", "Describe the idea in 20 to 20000 characters."),
    ]
    assert error.text() == (
        "The idea could not be submitted. The title needs 5 to 160 characters. "
        "Describe the idea in 20 to 20000 characters."
    )


def test_an_error_about_no_field_is_one_problem_of_the_whole():
    error = NotFound("No such idea.")
    assert error.problems() == [Problem(None, "not_found", "No such idea.")]
    assert error.text() == "No such idea."
    assert error.as_dict() == {"code": "not_found", "message": "No such idea.", "fields": {}}
