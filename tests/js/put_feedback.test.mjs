// @aws-sdk/client-qbusiness with its default configuration (only endpoint, region and
// credentials set: the default request handler speaks HTTP/2 to an http:// endpoint, with
// prior knowledge) against a real hark. Every accepted call is read back through hark's API;
// every error arrives as the SDK's typed exception.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  QBusinessClient,
  PutFeedbackCommand,
  AccessDeniedException,
  ResourceNotFoundException,
  ValidationException,
} from "@aws-sdk/client-qbusiness";
import { startHark } from "./harness.mjs";

let hark;
before(async () => {
  hark = await startHark();
});
after(async () => {
  await hark.stop();
});

function client(credentials = hark.credentials) {
  return new QBusinessClient({ endpoint: hark.base, region: "us-east-1", credentials, maxAttempts: 1 });
}

async function stored(messageId, userId) {
  const query = new URLSearchParams({ limit: "500", ...(userId ? { user_id: userId } : {}) });
  const { feedback } = await hark.get(`/api/1/chat/feedback?${query}`);
  return feedback.filter((f) => f.message_id === messageId);
}

test("the client under test is the default one, speaking HTTP/2", () => {
  assert.equal(client().config.requestHandler.constructor.name, "NodeHttp2Handler");
});

test("a vote without a user id is stored", async () => {
  const messageId = randomUUID();
  const out = await client().send(
    new PutFeedbackCommand({
      applicationId: hark.app,
      conversationId: randomUUID(),
      messageId,
      messageUsefulness: { usefulness: "USEFUL", submittedAt: new Date("2026-05-06T07:08:09Z") },
    }),
  );
  assert.equal(out.$metadata.httpStatusCode, 200);
  const rows = await stored(messageId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].user_id, null);
  assert.equal(rows[0].usefulness.usefulness, "USEFUL");
});

test("a vote with reason, comment and user id, and a copy, are stored", async () => {
  const [conversationId, messageId, userId] = [randomUUID(), randomUUID(), "user@example.com/ä b"];
  const c = client();
  await c.send(
    new PutFeedbackCommand({
      applicationId: hark.app,
      conversationId,
      messageId,
      userId,
      messageUsefulness: {
        usefulness: "NOT_USEFUL",
        reason: "NOT_FACTUALLY_CORRECT",
        comment: "The date is wrong ✗",
        submittedAt: new Date("2026-05-06T07:08:09Z"),
      },
    }),
  );
  await c.send(
    new PutFeedbackCommand({
      applicationId: hark.app,
      conversationId,
      messageId,
      userId,
      messageCopiedAt: new Date("2026-05-06T07:09:00Z"),
    }),
  );
  const rows = await stored(messageId, userId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].user_id, userId);
  assert.equal(rows[0].usefulness.reason, "NOT_FACTUALLY_CORRECT");
  assert.equal(rows[0].usefulness.comment, "The date is wrong ✗");
  assert.equal(rows[0].message_copied_at, "2026-05-06T07:09:00Z");
});

test("20 concurrent calls on one client are all stored", async () => {
  const c = client();
  const ids = Array.from({ length: 20 }, () => randomUUID());
  await Promise.all(
    ids.map((messageId) =>
      c.send(
        new PutFeedbackCommand({
          applicationId: hark.app,
          conversationId: randomUUID(),
          messageId,
          userId: "many",
          messageUsefulness: { usefulness: "USEFUL", submittedAt: new Date() },
        }),
      ),
    ),
  );
  const rows = (await hark.get("/api/1/chat/feedback?limit=500&user_id=many")).feedback;
  for (const id of ids) assert.equal(rows.filter((f) => f.message_id === id).length, 1, id);
});

test("a wrong secret is AccessDeniedException", async () => {
  const c = client({ accessKeyId: hark.credentials.accessKeyId, secretAccessKey: "wrong".repeat(8) });
  const messageId = randomUUID();
  await assert.rejects(
    c.send(
      new PutFeedbackCommand({
        applicationId: hark.app,
        conversationId: randomUUID(),
        messageId,
        messageUsefulness: { usefulness: "USEFUL", submittedAt: new Date() },
      }),
    ),
    (e) => e instanceof AccessDeniedException && e.$metadata.httpStatusCode === 403,
  );
  assert.equal((await stored(messageId)).length, 0);
});

test("an unknown application is ResourceNotFoundException", async () => {
  await assert.rejects(
    client().send(
      new PutFeedbackCommand({
        applicationId: randomUUID(),
        conversationId: randomUUID(),
        messageId: randomUUID(),
        messageUsefulness: { usefulness: "USEFUL", submittedAt: new Date() },
      }),
    ),
    (e) => e instanceof ResourceNotFoundException && e.$metadata.httpStatusCode === 404,
  );
});

test("a strict application refuses an unrecorded conversation with ResourceNotFoundException", async () => {
  const messageId = randomUUID();
  await assert.rejects(
    client().send(
      new PutFeedbackCommand({
        applicationId: hark.strictApp,
        conversationId: randomUUID(),
        messageId,
        messageUsefulness: { usefulness: "USEFUL", submittedAt: new Date() },
      }),
    ),
    (e) => e instanceof ResourceNotFoundException,
  );
  assert.equal((await stored(messageId)).length, 0);
});

test("invalid fields are ValidationException, listing each field", async () => {
  const messageId = randomUUID();
  await assert.rejects(
    client().send(
      new PutFeedbackCommand({
        applicationId: hark.app,
        conversationId: randomUUID(),
        messageId,
        messageUsefulness: {
          usefulness: "MEH",
          reason: "NOPE",
          comment: "line\nbreak",
          submittedAt: new Date(),
        },
      }),
    ),
    (e) => {
      assert.ok(e instanceof ValidationException, `${e.name}: ${e.message}`);
      assert.equal(e.$metadata.httpStatusCode, 400);
      assert.equal(e.reason, "FIELD_VALIDATION_FAILED");
      const names = e.fields.map((f) => f.name).sort();
      assert.deepEqual(names, [
        "messageUsefulness.comment",
        "messageUsefulness.reason",
        "messageUsefulness.usefulness",
      ]);
      return true;
    },
  );
  assert.equal((await stored(messageId)).length, 0);
});
