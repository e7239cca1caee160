"""The gateway's view of the grants stays fresh: its policy thread asks every poll whether the
stamp moved (services bump it after every change) and recompiles only then, so a revocation
stops calls within a poll (a second by default) without the test timing it."""

from __future__ import annotations

from django.utils import timezone

from govshare.core import stamps
from govshare.exchange.gateway.policy import PolicyStore
from govshare.sharing.models import AppCredential


def test_a_moved_stamp_recompiles_the_view_and_an_unchanged_one_does_not(world):
    # given a store whose view holds the world's live credential
    store = PolicyStore()
    store.load()
    credential = world.credential.pk
    assert not store.snapshot.credentials[credential].is_revoked

    # when nothing changed, the poll keeps the view
    assert store.refresh_if_changed() is False

    # when the credential is revoked and the stamp bumped (as the services do)
    AppCredential.objects.filter(pk=credential).update(revoked=timezone.now())
    stamps.bump("gateway")

    # then the next poll recompiles, and the view knows the revocation
    assert store.refresh_if_changed() is True
    assert store.snapshot.credentials[credential].is_revoked


def test_the_policy_is_polled_every_second_by_default():
    assert PolicyStore().poll_seconds == 1.0
