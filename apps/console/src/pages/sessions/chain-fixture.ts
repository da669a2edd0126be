/**
 * Two streams as GET /v1/sessions/{id}/streams answered them in dev mode (captured once, never
 * regenerated): the hashes are the server's, so the browser's check is held to the same formula.
 */
export const capturedStreams = [
  {
    "streamId": "toolcall-68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.look-up.1.call-scripted-AccountManager-look-up-0-0",
    "kind": "toolCall",
    "links": [
      {
        "event": {
          "actor": {
            "id": "tool-adapters",
            "kind": "service"
          },
          "causationId": "7160eede-11a0-4569-bc15-76a9a50e04ef",
          "correlationId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
          "data": {
            "callId": "call-scripted-AccountManager-look-up-0-0",
            "output": "{\"id\":\"42\",\"name\":\"Ada Lovelace\",\"email\":\"[REDACTED:email]\",\"tier\":\"bronze\"}",
            "runId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.look-up.1",
            "sessionId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
            "tool": "crm__getCustomer"
          },
          "eventId": "18364710-51c9-5f29-b7c8-29fac18ce994",
          "occurredAt": "2026-11-29T01:37:54.847Z",
          "schemaVersion": 1,
          "streamId": "toolcall-68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.look-up.1.call-scripted-AccountManager-look-up-0-0",
          "tenantId": "demo",
          "traceparent": null,
          "type": "ToolCallCompleted",
          "streamVersion": 0,
          "globalPosition": "00000000000000000834-00000000000000000018"
        },
        "prevHash": null,
        "hash": "de76597b9a7df850d5cf6ec79fceace097771b501f93d94d1daec28e87680d32"
      },
      {
        "event": {
          "actor": {
            "id": "tool-adapters",
            "kind": "service"
          },
          "causationId": "7160eede-11a0-4569-bc15-76a9a50e04ef",
          "correlationId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
          "data": {
            "callId": "call-scripted-AccountManager-look-up-0-0",
            "eventId": "18364710-51c9-5f29-b7c8-29fac18ce994",
            "eventType": "ToolCallCompleted",
            "fields": [
              {
                "count": 1,
                "kind": "email",
                "path": "/output"
              }
            ],
            "found": {
              "email": 1
            },
            "runId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.look-up.1",
            "sessionId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948"
          },
          "eventId": "7387ad60-ba3b-5bab-8328-d091d2399235",
          "occurredAt": "2026-11-29T01:37:54.847Z",
          "schemaVersion": 2,
          "streamId": "toolcall-68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.look-up.1.call-scripted-AccountManager-look-up-0-0",
          "tenantId": "demo",
          "traceparent": null,
          "type": "PiiRedacted",
          "streamVersion": 1,
          "globalPosition": "00000000000000000834-00000000000000000019"
        },
        "prevHash": "de76597b9a7df850d5cf6ec79fceace097771b501f93d94d1daec28e87680d32",
        "hash": "239fdc5863137311e53ea38e5bc17e961b25bff2b569b6816caf3297c5352dcc"
      }
    ]
  },
  {
    "streamId": "approval-06d32001-f063-544e-af01-a564b9f44ca7",
    "kind": "approval",
    "links": [
      {
        "event": {
          "actor": {
            "id": "approvals",
            "kind": "service"
          },
          "causationId": "307fda47-3ed8-5c7e-a775-c80ee1c2f116",
          "correlationId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
          "data": {
            "agent": "AccountManager",
            "approvalId": "06d32001-f063-544e-af01-a564b9f44ca7",
            "approversRequired": 1,
            "arguments": "{\"id\":\"42\",\"body\":{\"tier\":\"gold\"}}",
            "callId": "call-scripted-AccountManager-upgrade-0-0",
            "context": {
              "goal": "Upgrade customer 42 to gold",
              "stepId": "upgrade"
            },
            "expiresAt": "2026-11-30T01:37:55.735Z",
            "onExpiry": "fail",
            "policyVersion": 1,
            "reason": "rule crm-writes-need-approval holds crm.updateCustomer (PATCH) for 1 approver: Changing a customer needs an approver",
            "role": "approver",
            "ruleId": "crm-writes-need-approval",
            "runId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.upgrade.1",
            "sessionId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
            "target": {
              "method": "patch",
              "operation": "updateCustomer",
              "scopes": [
                "crm:read",
                "crm:write"
              ],
              "tool": "crm",
              "version": 1
            },
            "tool": "crm__updateCustomer"
          },
          "eventId": "8d4c72a9-db40-5c26-bcec-84890460c4a3",
          "occurredAt": "2026-11-29T01:37:55.735Z",
          "schemaVersion": 1,
          "streamId": "approval-06d32001-f063-544e-af01-a564b9f44ca7",
          "tenantId": "demo",
          "traceparent": null,
          "type": "ApprovalRequested",
          "streamVersion": 0,
          "globalPosition": "00000000000000000866-00000000000000000029"
        },
        "prevHash": null,
        "hash": "e9fe7ecfd60ec7bcd3426c85e5e24626233ac1280e5d554474899f3204fa28b6"
      },
      {
        "event": {
          "actor": {
            "id": "505f80b6-0d32-455d-953a-f1a7f0688793",
            "kind": "user"
          },
          "causationId": "2557a59f-d410-4b9f-a580-8e6639c4d839",
          "correlationId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
          "data": {
            "approvalId": "06d32001-f063-544e-af01-a564b9f44ca7",
            "approvers": [
              {
                "id": "505f80b6-0d32-455d-953a-f1a7f0688793",
                "roles": [
                  "admin"
                ]
              }
            ],
            "arguments": "{\"id\":\"42\",\"body\":{\"tier\":\"gold\"}}",
            "callId": "call-scripted-AccountManager-upgrade-0-0",
            "edited": false,
            "runId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948.step.upgrade.1",
            "sessionId": "68eaded2-7b85-4d66-a3a1-a1b1508bd948",
            "tool": "crm__updateCustomer"
          },
          "eventId": "d5f2a0f1-e3b7-59ae-9a13-24578cf631fc",
          "occurredAt": "2026-11-29T01:38:00.222Z",
          "schemaVersion": 1,
          "streamId": "approval-06d32001-f063-544e-af01-a564b9f44ca7",
          "tenantId": "demo",
          "traceparent": null,
          "type": "ApprovalGranted",
          "streamVersion": 1,
          "globalPosition": "00000000000000000873-00000000000000000030"
        },
        "prevHash": "e9fe7ecfd60ec7bcd3426c85e5e24626233ac1280e5d554474899f3204fa28b6",
        "hash": "0d020586f1b4e12813a2e5917b674d8a4c78cbdc26b4168b8d437487abf526f0"
      }
    ]
  }
] as const;
