import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProblem, problemFrom, problemTypes, retryAfterSeconds } from './problem.js';

const gatewayProblems = readFileSync(join(import.meta.dirname, '../../../services/gateway/src/http/problem.ts'), 'utf8');

describe('problems as the client sees them', () => {
  it('names every problem type the gateway answers with, and no other', () => {
    // The gateway builds each problem as problem(status, 'slug', …): the slugs are its vocabulary.
    const slugs = new Set([...gatewayProblems.matchAll(/problem\(\d{3}, '([a-z-]+)'/g)].map((match) => match[1]));
    expect(slugs.size).toBeGreaterThan(10);
    expect(new Set(Object.values(problemTypes).map((type) => type.replace('urn:agent-orchestrator:problem:', '')))).toEqual(slugs);
  });

  it('reads a 422 with its field pointers', () => {
    const body = JSON.stringify({ type: problemTypes.invalidBody, title: 'Invalid request body', status: 422, detail: 'goal is required', instance: '/v1/sessions', errors: [{ pointer: '#/goal', detail: 'Required' }, { pointer: '#/limit', detail: 'Too big', in: 'query' }, { junk: true }] });
    const problem = problemFrom(422, 'Unprocessable Entity', new Headers(), body);
    expect(problem).toMatchObject({ status: 422, type: problemTypes.invalidBody, title: 'Invalid request body', detail: 'goal is required', instance: '/v1/sessions', retryAfter: undefined });
    expect(problem.errors).toEqual([{ pointer: '#/goal', detail: 'Required' }, { pointer: '#/limit', detail: 'Too big', in: 'query' }]);
    expect(problem.message).toContain('#/goal: Required');
    expect(isProblem(problem, problemTypes.invalidBody)).toBe(true);
    expect(isProblem(problem, problemTypes.notFound)).toBe(false);
  });

  it('gives the seconds to wait on a 429, from seconds or a date', () => {
    const body = JSON.stringify({ type: problemTypes.rateLimited, title: 'Too many requests', status: 429, detail: 'principal limit used up' });
    expect(problemFrom(429, '', new Headers({ 'retry-after': '17' }), body).retryAfter).toBe(17);
    expect(retryAfterSeconds(new Date(Date.parse('2026-01-01T00:00:30Z')).toUTCString(), Date.parse('2026-01-01T00:00:00Z'))).toBe(30);
    expect(retryAfterSeconds('soon')).toBeUndefined();
  });

  it('describes an answer that is not problem+json from its status and text', () => {
    const problem = problemFrom(502, 'Bad Gateway', new Headers(), '<html>upstream down</html>');
    expect(problem).toMatchObject({ status: 502, type: 'about:blank', title: 'Bad Gateway', detail: '<html>upstream down</html>', errors: [] });
    expect(problemFrom(500, '', new Headers(), '').detail).toBe('The server answered 500 without a problem document.');
  });
});
