"""Chat conversations and their messages."""

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import UNSET, UnsetType

from service.api.created import created
from service.api.deps import (
    MAX_PAGE,
    ONE_STATEMENT,
    SESSION_READ_PAGE,
    TOKEN_IN_STATEMENT,
    CurrentUser,
    Db,
    Paging,
    ReadDb,
    SessionToken,
)
from service.api.pages import Cursor, whole_response
from service.api.patching import split
from service.fields import NON_BLANK
from service.queries import conversations, messages
from service.queries.conversations import Conversation
from service.queries.generated import conversations as conversation_columns
from service.queries.messages import ListedMessage, Message, NewMessage, Role

Title = Annotated[conversation_columns.Title, NON_BLANK]
MAX_BULK_MESSAGES = 10_000
Content = Annotated[str, msgspec.Meta(min_length=1, max_length=1_000_000)]


CONVERSATIONS = Cursor[tuple[datetime, UUID]]("conversations", tuple[datetime, UUID])
MESSAGES = Cursor[tuple[datetime, UUID]]("messages", tuple[datetime, UUID])


class ConversationIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | None = None


class MessageIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Role
    content: Content
    metadata: dict[str, Any] = {}


BulkMessages = Annotated[list[MessageIn], msgspec.Meta(min_length=1, max_length=MAX_BULK_MESSAGES)]


class ConversationPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | UnsetType = UNSET


class MessagePatch(msgspec.Struct, forbid_unknown_fields=True):
    content: Content | UnsetType = UNSET
    metadata: dict[str, Any] | UnsetType = UNSET


def _conversation_not_found(conversation_id: UUID) -> NotFoundException:
    return NotFoundException(f"conversation {conversation_id} not found")


async def _require_conversation(db: Db, conversation_id: UUID, user: CurrentUser) -> None:
    if not await conversations.exists(db, conversation_id=conversation_id, user_id=user.id):
        raise _conversation_not_found(conversation_id)


class ConversationController(Controller):
    path = "/conversations"
    tags = ["conversations"]

    @post("/", summary="Start a conversation", opt=ONE_STATEMENT)
    async def create_one(
        self, db: Db, user: CurrentUser, data: JSONBody[ConversationIn | None] = None
    ) -> Response[Conversation]:
        """Creates an empty conversation of the caller's. The body is optional; a missing or null
        `title` becomes "New Conversation"."""
        title = data.title if data is not None else None
        conversation = await conversations.create(db, user_id=user.id, title=title)
        return created(conversation, f"/conversations/{conversation.id}")

    @get("/", summary="The caller's conversations, most recently active first")
    async def list_all(
        self, db: Db, user: CurrentUser, page: Paging
    ) -> Response[Sequence[Conversation]]:
        """Ordered by `updated_at`, newest first: a message added or deleted, or any PATCH, moves a
        conversation to the front, so while paging by cursor it may show up again on an earlier page
        but not on a later one. Pages by `limit` and `offset`, or `after` (the cursor in `Link:
        rel="next"`); `X-Total-Count` is exact up to 10,000 (see `X-Total-Count-Exact`)."""
        found = await conversations.list_by_user(
            db,
            user_id=user.id,
            after=page.after(CONVERSATIONS),
            limit=page.fetch,
            offset=page.offset,
        )
        return page.respond(found, CONVERSATIONS, lambda c: (c.updated_at, c.id))

    @get("/{conversation_id:uuid}", summary="A conversation with its message count")
    async def get_one(
        self, conversation_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> Conversation:
        """The caller's conversation with its `message_count`, kept by the database. Another user's
        id is 404, like a missing one."""
        found = await conversations.get_by_id(db, conversation_id=conversation_id, user_id=user.id)
        if found is None:
            raise _conversation_not_found(conversation_id)
        return found

    @patch("/{conversation_id:uuid}", summary="Rename a conversation")
    async def update_one(
        self,
        conversation_id: FromPath[UUID],
        data: JSONBody[ConversationPatch],
        db: Db,
        user: CurrentUser,
    ) -> Conversation:
        """Sets `title`, which must not be blank; `null` is 400. Any PATCH, even an empty one, bumps
        `updated_at` and so moves the conversation to the front of the list."""
        values, _ = split(data)
        updated = await conversations.update(
            db, conversation_id=conversation_id, user_id=user.id, **values
        )
        if updated is None:
            raise _conversation_not_found(conversation_id)
        return updated

    @delete("/{conversation_id:uuid}", summary="Delete a conversation and its messages")
    async def remove(self, conversation_id: FromPath[UUID], db: Db, user: CurrentUser) -> None:
        """Deletes the conversation and all its messages."""
        if not await conversations.delete(db, conversation_id=conversation_id, user_id=user.id):
            raise _conversation_not_found(conversation_id)

    # One statement (the token and conversation checks are inside the INSERT): it is
    # its own transaction, so BEGIN and COMMIT would be two more round trips for nothing.
    @post(
        "/{conversation_id:uuid}/messages",
        summary="Add a message",
        opt={**ONE_STATEMENT, **TOKEN_IN_STATEMENT},
    )
    async def add_message(
        self,
        conversation_id: FromPath[UUID],
        data: JSONBody[MessageIn],
        db: Db,
        session_token: SessionToken,
    ) -> Response[Message]:
        """Appends a message (`role` user, assistant or system) to the caller's conversation; its
        `message_count` grows and its `updated_at` moves it to the front of the list."""
        message = await messages.create_for_session(
            db,
            conversation_id=conversation_id,
            token_hash=session_token,
            role=data.role,
            content=data.content,
            metadata=data.metadata,
        )
        if message is None:
            raise _conversation_not_found(conversation_id)
        return created(message, f"/conversations/{conversation_id}/messages/{message.id}")

    @post("/{conversation_id:uuid}/messages/bulk", summary="Add many messages in one statement")
    async def add_messages(
        self,
        conversation_id: FromPath[UUID],
        data: JSONBody[BulkMessages],
        db: Db,
        user: CurrentUser,
    ) -> Response[list[Message]]:
        """Appends 1 to 10,000 messages in one statement; their `created_at` keeps the order sent,
        and the answer lists them in it (`Location`: the message list). All or none: one bad message
        fails the batch."""
        await _require_conversation(db, conversation_id, user)
        batch = [NewMessage(m.role, m.content, m.metadata) for m in data]
        stored = await messages.create_many(
            db, conversation_id=conversation_id, user_id=user.id, messages=batch
        )
        return created(stored, f"/conversations/{conversation_id}/messages")

    @get(
        "/{conversation_id:uuid}/messages",
        summary="Messages, oldest first; ?last=N for the newest N",
        dependencies=SESSION_READ_PAGE,
        opt=TOKEN_IN_STATEMENT,
    )
    async def list_messages(
        self,
        conversation_id: FromPath[UUID],
        read_db: ReadDb,
        session_token: SessionToken,
        page: Paging,
        last: Annotated[
            int | None,
            QueryParameter(ge=1, le=MAX_PAGE, description="only the newest N, still oldest first"),
        ] = None,
    ) -> Response[Sequence[ListedMessage]]:
        """Oldest first; `X-Total-Count` is the conversation's exact `message_count`. `last=N`
        answers the newest N in one piece and ignores `limit`, `offset` and `after`; without it the
        list pages by `limit` and `offset`, or `after` (the cursor in `Link: rel="next"`)."""
        if last is not None:
            newest = await messages.list_last_n_for_session(
                read_db, conversation_id=conversation_id, token_hash=session_token, n=last
            )
            if newest is None:
                raise _conversation_not_found(conversation_id)
            return whole_response(newest)
        found = await messages.list_by_conversation_for_session(
            read_db,
            conversation_id=conversation_id,
            token_hash=session_token,
            after=page.after(MESSAGES),
            limit=page.fetch,
            offset=page.offset,
        )
        if found is None:
            raise _conversation_not_found(conversation_id)
        return page.respond(found, MESSAGES, lambda m: (m.created_at, m.id))

    @get(
        "/{conversation_id:uuid}/messages/{message_id:uuid}",
        summary="A message of the conversation",
    )
    async def get_message(
        self, conversation_id: FromPath[UUID], message_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> Message:
        """A message, found only under its own conversation and only if that is the caller's;
        anything else is 404."""
        found = await messages.get_by_id(
            db, message_id=message_id, conversation_id=conversation_id, user_id=user.id
        )
        if found is None:
            raise NotFoundException(f"message {message_id} not found")
        return found

    @patch("/{conversation_id:uuid}/messages/{message_id:uuid}", summary="Edit a message")
    async def update_message(
        self,
        conversation_id: FromPath[UUID],
        message_id: FromPath[UUID],
        data: JSONBody[MessagePatch],
        db: Db,
        user: CurrentUser,
    ) -> Message:
        """Changes `content` and/or `metadata`: a key left out stays, `null` is 400, `metadata` is
        replaced whole and `role` cannot change. The conversation's `updated_at` does not move."""
        updated = await messages.update(
            db,
            message_id=message_id,
            conversation_id=conversation_id,
            user_id=user.id,
            **split(data)[0],
        )
        if updated is None:
            raise NotFoundException(f"message {message_id} not found")
        return updated

    @delete("/{conversation_id:uuid}/messages/{message_id:uuid}", summary="Delete a message")
    async def remove_message(
        self, conversation_id: FromPath[UUID], message_id: FromPath[UUID], db: Db, user: CurrentUser
    ) -> None:
        """Deletes one message of the conversation; the conversation's `message_count` drops and its
        `updated_at` moves it to the front of the list."""
        deleted = await messages.delete(
            db, message_id=message_id, conversation_id=conversation_id, user_id=user.id
        )
        if not deleted:
            raise NotFoundException(f"message {message_id} not found")
