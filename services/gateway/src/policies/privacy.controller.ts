import { privacySettingsSchema, type PrivacySettings } from '@agent-orchestrator/contracts';
import { Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Caller, Can, type Principal } from '../auth/access.guard.js';
import { ApiProblems, apiKeyHeaderScheme, bearerScheme } from '../http/openapi.js';
import { ValidBody } from '../http/valid-body.js';
import { Policies } from './policies.js';

@ApiTags('policies')
@ApiBearerAuth(bearerScheme)
@ApiSecurity(apiKeyHeaderScheme)
@ApiProblems(401, 403)
@Controller('v1/privacy')
export class PrivacyController {
  constructor(private readonly policies: Policies) {}

  @Get()
  @Can('read', 'Policy')
  @ApiOperation({ summary: "Your tenant's privacy setting at its latest version (version 0: none set, the operator's default)." })
  current(@Caller() caller: Principal) {
    return this.policies.privacy(caller.tenantId);
  }

  @Put()
  @Can('update', 'Policy')
  @ApiOperation({
    summary:
      'Choose which personal data is redacted before anything your tenant sends or its sessions produce is stored (goals, context, model output, tool answers, approval reasons): "default" (the operator\'s PII_REDACT), "off", or a list of kinds (secret, email, iban, card, national_id, phone). Each PUT is a new version; it applies within seconds.',
  })
  @ApiProblems(413, 415, 422, 503)
  update(@ValidBody(privacySettingsSchema) body: PrivacySettings, @Caller() caller: Principal) {
    return this.policies.updatePrivacy(caller, body);
  }
}
