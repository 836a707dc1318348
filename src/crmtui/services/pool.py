"""A pool customer seen before claiming it: the server's rows as the 360 view's detail (nothing is stored)."""

from __future__ import annotations

from crmtui.services.context import Context
from crmtui.services.customers import CustomerDetail
from crmtui.services.views import (
    PaymentView,
    contact_view,
    contract_view,
    customer_view,
    deal_view,
    follow_up_view,
    payment_view,
)
from crmtui.store.models import Contact, Contract, Customer, Deal, FollowUp, Payment
from crmtui.sync.pool_view import (
    DeletedCustomer,
    deleted_customers,
    read_pool_customer,
    restore_deleted,
)
from crmtui.sync.protocol import RoundReport


def _model(kind, row: dict):  # type: ignore[no-untyped-def]
    """A model from a server row: the server's own columns (txid, stamps, customer_id on children) left out."""
    return kind(**{name: value for name, value in row.items() if name in kind.model_fields})


def pool_customer_detail(ctx: Context, customer_id: str) -> CustomerDetail:
    """The pool customer with contacts, deals, follow-ups, tags, contracts and instalments, read from the server
    (NotFound when it is no longer in the pool; Offline without the server)."""
    records = read_pool_customer(ctx, customer_id)
    contracts = [contract_view(_model(Contract, row)) for row in records.contracts]
    payments: dict[str, list[PaymentView]] = {contract.id: [] for contract in contracts}
    for row in records.payments:
        payments.setdefault(row["contract_id"], []).append(payment_view(_model(Payment, row)))
    return CustomerDetail(
        customer=customer_view(_model(Customer, records.customer)),
        contacts=[contact_view(_model(Contact, row)) for row in records.contacts],
        deals=[deal_view(_model(Deal, row)) for row in records.deals],
        follow_ups=[follow_up_view(_model(FollowUp, row)) for row in records.follow_ups],
        tags=records.tags,
        contracts=contracts,
        payments=payments,
    )


def deleted_team_customers(ctx: Context) -> list[DeletedCustomer]:
    """The team's deleted customers from the server, with whom a restore gives each back to (managers only;
    Offline without the server)."""
    return deleted_customers(ctx)


def restore_team_customer(ctx: Context, customer_id: str) -> RoundReport | None:
    """Restores a deleted team customer with the records deleted with it, then syncs this laptop; returns the
    round's report, or None when the round after the restore failed (the next sync brings it)."""
    return restore_deleted(ctx, customer_id)
