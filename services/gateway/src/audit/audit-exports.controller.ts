import { Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { ValidQuery } from '../http/valid-query.js';
import { auditExport, auditExportPage, exportAccepted, exportRequestBody, listExportsQuery, type ExportRequestBody } from './audit-schemas.js';
import { AuditTrail } from './audit-trail.js';
import { sendBundle } from './bundle-download.js';

const exportIdParam = ApiParam({ name: 'id', description: 'The export id POST /v1/audit/exports answered with.', schema: { type: 'string', format: 'uuid' } });
const location = { Location: { description: 'The export: /v1/audit/exports/{id}.', schema: { type: 'string' } } };

/** A file name that needs no quoting rules: tenant ids are tame, but a header is no place to find out. */
const bundleName = (tenantId: string, exportId: string) => `audit-${tenantId.replace(/[^A-Za-z0-9._-]/g, '_')}-${exportId}.ndjson`;

@AuthenticatedApi('audit')
@Controller('v1/audit/exports')
export class AuditExportsController {
  constructor(private readonly audit: AuditTrail) {}

  @Post()
  @HttpCode(202)
  @Can('create', 'AuditExport')
  @ApiOperation({
    operationId: 'requestAuditExport',
    summary:
      'Export the audit trail as one signed NDJSON bundle that `npx ao audit verify` checks offline: a time range (from/to, or everything), or whole sessions (sessionIds); with previousExportId the bundle also proves that the log only grew since that export. Follow its progress with GET /v1/audit/exports/{id}.',
  })
  @Returns(202, exportAccepted, { description: 'Accepted: the audit service writes the bundle', headers: location })
  @ApiProblems(404, 409, 413, 415, 422, 503)
  async request(@ValidBody(exportRequestBody) body: ExportRequestBody, @Caller() caller: Principal, @Res({ passthrough: true }) reply: FastifyReply) {
    const accepted = await this.audit.requestExport(caller, body);
    reply.header('location', `/v1/audit/exports/${accepted.exportId}`);
    return accepted;
  }

  @Get()
  @Can('read', 'AuditExport')
  @ApiOperation({ operationId: 'listAuditExports', summary: "Your tenant's audit exports, newest first, with their progress, checkpoint and verification." })
  @Returns(200, auditExportPage)
  @ApiProblems(400)
  list(@ValidQuery(listExportsQuery) query: z.infer<typeof listExportsQuery>, @Caller() caller: Principal) {
    return this.audit.listExports(caller.tenantId, { limit: query.limit, ...(query.before === undefined ? {} : { before: query.before }) });
  }

  @Get(':id')
  @Can('read', 'AuditExport')
  @ApiOperation({ operationId: 'getAuditExport', summary: 'One audit export: status, progress (events written of the total), the checkpoint it proves against, and the platform\'s verification of the stored bundle.' })
  @exportIdParam
  @Returns(200, auditExport)
  @ApiProblems(404)
  get(@Param('id') id: string, @Caller() caller: Principal) {
    return this.audit.getExport(caller.tenantId, id);
  }

  @Get(':id/bundle')
  @Can('read', 'AuditExport')
  @ApiOperation({
    operationId: 'downloadAuditExport',
    summary: 'The bundle file (NDJSON, gzip-compressed when Accept-Encoding allows it). Verify it offline with `npx ao audit verify <file> --trusted-key <fingerprint>` (the fingerprint from GET /v1/audit/keys).',
  })
  @exportIdParam
  @ApiResponse({
    status: 200,
    description: 'The bundle, as an attachment named audit-<tenant>-<exportId>.ndjson',
    content: { 'application/x-ndjson': { schema: { type: 'string', format: 'binary' } } },
    headers: {
      'Content-Disposition': { description: 'attachment; filename="audit-<tenant>-<exportId>.ndjson"', schema: { type: 'string' } },
      'Content-Encoding': { description: 'gzip, when the request\'s Accept-Encoding allows it.', schema: { type: 'string' } },
    },
  })
  @ApiProblems(404, 409, 410)
  async bundle(@Param('id') id: string, @Headers('accept-encoding') acceptEncoding: string | undefined, @Caller() caller: Principal, @Res() reply: FastifyReply) {
    const { record, chunks } = await this.audit.bundle(caller.tenantId, id);
    return sendBundle(reply, acceptEncoding, { filename: bundleName(caller.tenantId, id), bytes: record.bytes, chunks });
  }
}
