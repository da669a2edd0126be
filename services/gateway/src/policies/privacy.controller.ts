import { privacySettingsSchema, type PrivacySettings } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';
import { z } from 'zod';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { Returns } from '../http/answers.js';
import { ApiProblems, AuthenticatedApi } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Policies, type PrivacyVersion } from './policies.js';

const privacyVersion = z.object({
  version: z.number().int().min(0).describe("0 before any PUT: the operator's default."),
  updatedAt: z.iso.datetime().nullable().describe('When this version was set; null for version 0.'),
  ...privacySettingsSchema.shape,
});

@AuthenticatedApi('policies')
@Controller('v1/privacy')
export class PrivacyController {
  constructor(private readonly policies: Policies) {}

  @Get()
  @Can('read', 'Policy')
  @ApiOperation({ operationId: 'getPrivacy', summary: "Your tenant's privacy setting at its latest version (version 0: none set, the operator's default)." })
  @Returns(200, privacyVersion)
  current(@Caller() caller: Principal): Promise<PrivacyVersion> {
    return this.policies.privacy(caller.tenantId);
  }

  @Put()
  @Can('update', 'Policy')
  @ApiOperation({
    operationId: 'setPrivacy',
    summary:
      'Choose which personal data is redacted before anything your tenant sends or its sessions produce is stored (goals, context, model output, tool answers, approval reasons): "default" (the operator\'s PII_REDACT), "off", or a list of kinds (secret, email, iban, card, national_id, phone). Each PUT is a new version; it applies within seconds.',
  })
  @Returns(200, privacyVersion, { description: 'The new version, once it is in effect' })
  @ApiProblems(400, 413, 415, 422, 503)
  update(@ValidBody(privacySettingsSchema) body: PrivacySettings, @Caller() caller: Principal): Promise<PrivacyVersion> {
    return this.policies.updatePrivacy(caller, body);
  }
}
