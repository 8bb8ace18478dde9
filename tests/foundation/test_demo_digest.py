"""The demo shows the digest its operators received while DataCite was down.

The digest travels as any InvenioRDM e-mail (notification task, invenio-mail,
Flask-Mail, SMTP); here it is sent for real, over SMTP on loopback, to the
demo's mailbox, and the story turns it into what the operator reads.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from invenio_access.permissions import system_identity
from invenio_db import db

from invenio_doi_ext.demo.bootstrap import OPERATOR_EMAIL, add_operator
from invenio_doi_ext.demo.instance import Services, instance_config
from invenio_doi_ext.demo.mailbox import Mailbox, plain_text
from invenio_doi_ext.demo.story import Story
from invenio_doi_ext.lifecycle import breaker
from invenio_doi_ext.monitoring import digest
from invenio_doi_ext.monitoring.models import DigestState


@pytest.fixture
def mailbox():
    box = Mailbox().start()
    yield box
    box.stop()


@pytest.fixture
def mail_to(app, mailbox, monkeypatch):
    """Flask-Mail of the test app sends over SMTP to the mailbox instead of keeping mail back."""
    state = app.extensions["mail"]
    monkeypatch.setattr(state, "server", "127.0.0.1")
    monkeypatch.setattr(state, "port", mailbox.port)
    monkeypatch.setattr(state, "suppress", False)
    monkeypatch.setattr(state, "default_sender", "doi-demo@demo.example.org")
    return mailbox


def test_the_mailbox_keeps_what_smtplib_sends_with_dots_unstuffed(mailbox):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.org", "b@example.org", "Hello"
    message.set_content("first line\n.a line that starts with a dot\nlast line\n")
    with smtplib.SMTP("127.0.0.1", mailbox.port, timeout=5) as smtp:
        smtp.send_message(message)

    received = mailbox.wait_for("Hello", timeout=5)
    assert received is not None
    assert ".a line that starts with a dot" in plain_text(received)
    assert plain_text(received).startswith("To: b@example.org\nSubject: Hello\n\n")
    assert mailbox.wait_for("never sent", timeout=0.1) is None


def test_the_breaker_digest_reaches_the_demo_operator_over_smtp(app, service, sandbox, mail_to):
    DigestState.query.delete()
    add_operator()
    breaker.trip("DataCite answered 401: check DATACITE_USERNAME / DATACITE_PASSWORD")
    db.session.commit()
    story = Story(service, system_identity, sandbox, echo=lambda line: None, timeout=10.0, mailbox=mail_to)
    try:
        assert digest.tick() == "sent"
        story.receive_digest("breaker opened")
    finally:
        breaker.reset()
        db.session.commit()

    assert len(story.digests) == 1
    text = story.digests[0]
    assert text.startswith(f"To: {OPERATOR_EMAIL}\nSubject: ")
    assert "calls paused (breaker opened)" in text
    assert "the breaker OPENED" in text and "DATACITE_USERNAME" in text


def test_a_demo_whose_operators_were_not_told_fails(service, sandbox, mailbox):
    story = Story(service, system_identity, sandbox, echo=lambda line: None, timeout=0.1, mailbox=mailbox)
    story.refused_errors = [{"field": "metadata.rights.0.title", "messages": ["too long"]}]
    story.receive_digest("breaker opened")

    assert story.digests == []
    assert story.problems() == [
        "the operators were not told of the outage: expected a digest when the breaker opened "
        "and one when calls resumed, received 0"
    ]


def test_the_demo_instance_mails_its_mailbox_and_opens_the_breaker_in_the_outage(tmp_path: Path):
    services = Services.from_environment(tmp_path)
    config = instance_config(services, "http://127.0.0.1:1/", tmp_path, mail_port=2525)
    mail = (config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_SUPPRESS_SEND"])
    assert mail == ("127.0.0.1", 2525, False)
    assert config["DOI_EXT_CIRCUIT_BREAKER"]["failures"] <= 3  # the outage's burst trips it

    without = instance_config(services, "http://127.0.0.1:1/", tmp_path)
    assert without["MAIL_SUPPRESS_SEND"] is True
