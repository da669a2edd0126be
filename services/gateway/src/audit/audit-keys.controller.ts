import { Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import type { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { auditCheckpointList, auditKeyList, checkpointsQuery, commandAccepted, retentionAccepted, retentionAnswer, retentionBody } from './audit-schemas.js';
import { AuditTrail } from './audit-trail.js';

/** The audit trail's signing keys, signed checkpoints and retention. */
@AuthenticatedApi('audit')
@Controller('v1/audit')
export class AuditKeysController {
  constructor(private readonly audit: AuditTrail) {}

  @Get('keys')
  @Can('read', 'AuditKey')
  @ApiOperation({ operationId: 'listAuditKeys', summary: "The audit trail's Ed25519 signing keys, oldest first, with fingerprints and the period each signed in. Pin the current fingerprint: `npx ao audit verify <file> --trusted-key <fingerprint>`." })
  @Returns(200, auditKeyList)
  keys(@Caller() caller: Principal) {
    return this.audit.keys(caller.tenantId);
  }

  @Post('keys/rotate')
  @HttpCode(202)
  @Can('update', 'AuditKey')
  @ApiOperation({ operationId: 'rotateAuditKey', summary: 'Replace the signing key (admin): the current key endorses the new one, so a fingerprint pinned before still verifies bundles signed after.' })
  @Returns(202, commandAccepted, { description: 'Accepted: the audit service rotates the key' })
  @ApiProblems(503)
  rotate(@Caller() caller: Principal) {
    return this.audit.rotateKey(caller);
  }

  @Post('checkpoints')
  @HttpCode(202)
  @Can('create', 'AuditCheckpoint')
  @ApiOperation({ operationId: 'signAuditCheckpoint', summary: "Sign a checkpoint of your tenant's tree now (one is also signed at an interval and for each export)." })
  @Returns(202, commandAccepted, { description: 'Accepted: the audit service signs it' })
  @ApiProblems(503)
  sign(@Caller() caller: Principal) {
    return this.audit.signCheckpoint(caller);
  }

  @Get('checkpoints')
  @Can('read', 'AuditCheckpoint')
  @ApiOperation({ operationId: 'listAuditCheckpoints', summary: 'The signed checkpoints (tree size, root hash, time, key), newest first.' })
  @Returns(200, auditCheckpointList)
  @ApiProblems(400)
  checkpoints(@ValidQuery(checkpointsQuery) query: z.infer<typeof checkpointsQuery>, @Caller() caller: Principal) {
    return this.audit.checkpoints(caller.tenantId, query.limit);
  }

  @Get('retention')
  @Can('read', 'AuditRetention')
  @ApiOperation({ operationId: 'getAuditRetention', summary: 'How many days completed export bundles are kept (default and minimum 180).' })
  @Returns(200, retentionAnswer)
  retention(@Caller() caller: Principal) {
    return this.audit.retention(caller.tenantId);
  }

  @Put('retention')
  @HttpCode(202)
  @Can('update', 'AuditRetention')
  @ApiOperation({ operationId: 'setAuditRetention', summary: 'Keep completed export bundles this many days (admin; at least 180).' })
  @Returns(202, retentionAccepted, { description: 'Accepted: the audit service records it; GET /v1/audit/retention shows it once recorded' })
  @ApiProblems(413, 415, 422, 503)
  setRetention(@ValidBody(retentionBody) body: z.infer<typeof retentionBody>, @Caller() caller: Principal) {
    return this.audit.setRetention(caller, body.days);
  }
}
