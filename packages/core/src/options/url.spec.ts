import { displayUrl } from '../display-url';
import { thrownUserError } from '../errors';
import { isLoopbackHost, urlOption } from './index';

const userError = thrownUserError;

describe('displayUrl', () => {
  it('drops user name, password, query and fragment, also from text that does not parse', () => {
    expect(displayUrl('https://me:pw@api.example.com:8443/v1/x?token=abc#frag')).toBe('https://api.example.com:8443/v1/x');
    expect(displayUrl(new URL('http://[::1]:9090/q?x=1'))).toBe('http://[::1]:9090/q');
    expect(displayUrl('ftp://user:secret@host name/p?k=v')).toBe('ftp://host name/p');
    expect(displayUrl('not a url?token=abc')).toBe('not a url');
  });
});

describe('isLoopbackHost', () => {
  it('is true for 127.0.0.0/8, localhost and [::1] only', () => {
    expect(['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['10.0.0.1', '127.0.0.1.example.com', '128.0.0.1', 'localhost.example.com', '127.0.0.256', '[::2]'].some(isLoopbackHost)).toBe(false);
  });
});

describe('urlOption', () => {
  const rules = { example: 'https://prometheus.example.com' };

  it('accepts https anywhere and http to loopback hosts, normalised', () => {
    expect(urlOption('apiUrl', 'https://api.example.com', rules)).toBe('https://api.example.com/');
    expect(urlOption('apiUrl', 'http://127.0.0.1:4000/base', rules)).toBe('http://127.0.0.1:4000/base');
    expect(urlOption('apiUrl', 'http://localhost:9090', rules)).toBe('http://localhost:9090/');
    expect(urlOption('apiUrl', 'http://[::1]:9090', rules)).toBe('http://[::1]:9090/');
    expect(urlOption('apiUrl', undefined, rules)).toBeUndefined();
  });

  it('accepts http to other hosts only when allowed, credentials only when allowed, refuses a query when told', () => {
    expect(urlOption('prometheus.url', 'http://prometheus.monitoring:9090', { ...rules, allowHttp: true })).toBe('http://prometheus.monitoring:9090/');
    expect(urlOption('repo', 'https://bot:pw@git.example.com/r', { ...rules, allowCredentials: true })).toBe('https://bot:pw@git.example.com/r');
    expect(urlOption('hook', 'https://h.example.com/?a=1', rules)).toBe('https://h.example.com/?a=1');
  });

  it.each([
    ['ftp://api.example.com', /"ftp:\/\/api\.example\.com\/" is not an http\(s\) URL\. Give a full URL such as https:\/\/prometheus\.example\.com/],
    ['api.example.com', /"api\.example\.com" is not an http\(s\) URL/],
    [42, /42 is not an http\(s\) URL/],
    ['http://api.example.com', /uses plain http to api\.example\.com, which is not this machine/],
    ['https://me:hunter2pw@api.example.com', /must not contain a user name or password/],
  ])('%j is refused with a message naming the option', (value, message) => {
    const err = userError(() => urlOption('prometheus.url', value, rules));
    expect(err.option).toBe('prometheus.url');
    expect(err.message).toMatch(message);
  });

  it('never shows credentials or the query of a refused URL', () => {
    for (const value of ['http://me:hunter2pw@example.com/x?token=tok-123456', 'gopher://me:hunter2pw@example.com/?token=tok-123456', 'https://api.example.com/?token=tok-123456']) {
      const err = userError(() => urlOption('hook', value, { ...rules, allowQuery: false }));
      expect(err.message).not.toContain('hunter2pw');
      expect(err.message).not.toContain('tok-123456');
    }
    expect(userError(() => urlOption('apiUrl', 'https://api.example.com/?teamId=x', { ...rules, allowQuery: false })).message).toMatch(/must not contain a query or fragment/);
  });
});
