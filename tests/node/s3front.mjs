// SPDX-License-Identifier: Apache-2.0
// s3front.mjs -- a SigV4-checking HTTP front before s3rver, for the tests
// (s3rver accepts any V4 signature). Every signed request's Authorization
// header is computed again by aws4 (an implementation independent of
// curl's, canonicalizing path and query itself) over the headers the
// request says it signed, with the configured secret; a difference is
// answered 403 SignatureDoesNotMatch, a wrong access key 403
// InvalidAccessKeyId. Unsigned requests pass (s3rver allows anonymous).
// Everything else is proxied to s3rver.
//
//   node s3front.mjs UPSTREAM_PORT [ACCESS_KEY SECRET]   (default S3RVER S3RVER)
// prints "s3front listening on PORT" (a free port on 127.0.0.1).
// Control routes (never proxied):
//   POST /__front/fail?n=N&status=S  the next N requests answer S (503) with an S3 error
//   POST /__front/cut?n=N            the next N GetObject answers stop after half the body
//   GET  /__front/stats              JSON: requests, sigok, sigbad, unsigned, failed, cut
import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const aws4 = require('aws4');

const upstream = Number(process.argv[2]);
const accessKey = process.argv[3] || 'S3RVER';
const secret = process.argv[4] || 'S3RVER';
const stats = { requests: 0, sigok: 0, sigbad: 0, unsigned: 0, failed: 0, cut: 0 };
let failNext = 0, failStatus = 503, cutNext = 0;

function s3error(res, status, code, message) {
	const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code>` +
		`<Message>${message}</Message><RequestId>0</RequestId></Error>`;
	res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
	res.end(body);
}

// null: unsigned; else { ok, code, message }
function checkSignature(req) {
	const auth = req.headers.authorization;
	if (!auth) return null;
	const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
	if (!m) return { ok: false, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
	const [, ak, , region, service, signed] = m;
	if (ak !== accessKey)
		return { ok: false, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' };
	const headers = {};
	const include = {};
	for (const name of signed.split(';')) {
		if (req.headers[name] === undefined)
			return { ok: false, code: 'SignatureDoesNotMatch', message: `signed header ${name} is missing` };
		headers[name] = req.headers[name];
		include[name] = true;
	}
	const opts = { method: req.method, host: req.headers.host, path: req.url, service, region,
		headers, extraHeadersToInclude: include };
	aws4.sign(opts, { accessKeyId: accessKey, secretAccessKey: secret });
	const want = opts.headers.Authorization;
	if (want === auth) return { ok: true };
	return { ok: false, code: 'SignatureDoesNotMatch',
		message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' };
}

function control(req, res, url) {
	const n = Number(url.searchParams.get('n') || '1');
	if (url.pathname === '/__front/fail') {
		failNext = n;
		failStatus = Number(url.searchParams.get('status') || '503');
	} else if (url.pathname === '/__front/cut') {
		cutNext = n;
	} else if (url.pathname !== '/__front/stats') {
		res.writeHead(404);
		return res.end();
	}
	res.writeHead(200, { 'Content-Type': 'application/json' });
	res.end(JSON.stringify(stats) + '\n');
}

function proxy(req, res) {
	const cut = req.method === 'GET' && cutNext > 0 && !req.url.includes('list-type') && !req.headers.range;
	if (cut) cutNext--;
	const up = http.request({ host: '127.0.0.1', port: upstream, method: req.method, path: req.url,
		headers: req.headers }, (ur) => {
		res.writeHead(ur.statusCode, ur.headers);
		const len = Number(ur.headers['content-length'] || 0);
		if (!cut || ur.statusCode !== 200 || len < 2) return ur.pipe(res);
		stats.cut++;
		let sent = 0;
		ur.on('data', (chunk) => {
			if (sent >= len / 2) return;
			const part = chunk.subarray(0, Math.max(0, Math.ceil(len / 2) - sent));
			sent += part.length;
			res.write(part);
			if (sent >= len / 2) res.socket.destroy();
		});
	});
	up.on('error', () => { res.socket && res.socket.destroy(); });
	req.pipe(up);
}

const server = http.createServer((req, res) => {
	const url = new URL(req.url, 'http://x');
	if (url.pathname.startsWith('/__front/')) return control(req, res, url);
	stats.requests++;
	if (failNext > 0) {
		failNext--;
		stats.failed++;
		req.resume();
		return s3error(res, failStatus, failStatus === 503 ? 'SlowDown' : 'InternalError',
			failStatus === 503 ? 'Please reduce your request rate.' : 'We encountered an internal error. Please try again.');
	}
	const sig = checkSignature(req);
	if (sig === null) stats.unsigned++;
	else if (sig.ok) stats.sigok++;
	else {
		stats.sigbad++;
		req.resume();
		return s3error(res, 403, sig.code, sig.message);
	}
	proxy(req, res);
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => {
	console.log(`s3front listening on ${server.address().port}`);
});
