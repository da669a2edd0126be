import { BadRequestException, HttpException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { GatewayError, type GatewayErrorCode } from '../errors.js';
import { problemFor } from './problem.js';

describe('problems for what a request can throw', () => {
  it.each<[GatewayErrorCode, number]>([
    ['MissingCredentials', 401],
    ['InvalidCredentials', 401],
    ['InvalidToken', 401],
    ['Forbidden', 403],
    ['NotFound', 404],
    ['InvalidBody', 422],
    ['InvalidParameter', 422],
    ['Conflict', 409],
    ['Gone', 410],
    ['RateLimited', 429],
  ])('maps %s to %i', (code, status) => {
    const { problem } = problemFor(new GatewayError(code, 'what happened'), 1024);
    expect(problem).toMatchObject({ status, detail: 'what happened', type: expect.stringMatching(/^urn:agent-orchestrator:problem:/) });
  });

  it('asks for a bearer token on 401', () => {
    expect(problemFor(new GatewayError('MissingCredentials', 'x'), 1024).headers['www-authenticate']).toMatch(/^Bearer /);
    expect(problemFor(new GatewayError('InvalidCredentials', 'x'), 1024).headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('sends the headers a refusal carries (a rate limit\'s Retry-After and RateLimit fields)', () => {
    const headers = { 'retry-after': '12', ratelimit: '"tenant";r=0;t=12' };
    expect(problemFor(new GatewayError('RateLimited', 'x', [], headers), 1024).headers).toEqual(headers);
  });

  it('names why a token was refused in WWW-Authenticate, quoting nothing that could break the header', () => {
    const { problem, headers } = problemFor(new GatewayError('InvalidToken', 'The issuer publishes no key "k\\1" \u00e9.'), 1024);
    expect(problem).toMatchObject({ status: 401, type: 'urn:agent-orchestrator:problem:invalid-token', detail: 'The issuer publishes no key "k\\1" \u00e9.' });
    expect(headers['www-authenticate']).toBe(`Bearer realm="agent-orchestrator", error="invalid_token", error_description="The issuer publishes no key 'k'1' '."`);
  });

  it('carries field problems only for an invalid body', () => {
    const fields = [{ pointer: '#/name', detail: 'too short' }];
    expect(problemFor(new GatewayError('InvalidBody', 'x', fields), 1024).problem.errors).toEqual(fields);
    expect(problemFor(new GatewayError('Forbidden', 'x'), 1024).problem).not.toHaveProperty('errors');
  });

  it('maps Fastify body errors by their code', () => {
    const tooLarge = new HttpException('Request body is too large', 413, { cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE' }) });
    expect(problemFor(tooLarge, 2048).problem).toMatchObject({ status: 413, detail: 'Request bodies are limited to 2048 bytes.' });
  });

  it('keeps the message of another 4xx and answers a stray 404 as an unknown route', () => {
    expect(problemFor(new BadRequestException('bad range'), 1024).problem).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, detail: 'bad range' });
    expect(problemFor(new NotFoundException('Cannot GET /x'), 1024).problem.type).toBe('urn:agent-orchestrator:problem:route-not-found');
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.5:5432')],
    ['a 5xx HttpException', new InternalServerErrorException('pool exhausted at db-primary')],
    ['a thrown string', 'relation "gateway.api_keys" does not exist'],
  ])('answers %s with a 500 that says nothing of its cause', (_, thrown) => {
    const { problem } = problemFor(thrown, 1024);
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|db-primary|api_keys/);
  });

  it('answers 503 with Retry-After when PostgreSQL cannot take the request now, and 500 for its other errors', () => {
    const pgError = (code: string) => Object.assign(new Error('sorry, too many clients already'), { code, severity: 'FATAL' });
    for (const code of ['53300', '53200', '08006', '57P03']) {
      const { problem, headers } = problemFor(pgError(code), 1024);
      expect(problem).toMatchObject({ status: 503, type: 'urn:agent-orchestrator:problem:unavailable' });
      expect(JSON.stringify(problem)).not.toContain('too many clients');
      expect(headers['retry-after']).toBe('2');
    }
    // TypeORM wraps the driver's error and keeps it as driverError.
    expect(problemFor(Object.assign(new Error('query failed'), { driverError: { code: '53300' } }), 1024).problem.status).toBe(503);
    for (const code of ['23505', '42P01', 'ECONNREFUSED']) expect(problemFor(pgError(code), 1024).problem.status).toBe(500);
  });
});
