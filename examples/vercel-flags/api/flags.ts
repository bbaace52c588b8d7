/**
 * Example Edge Function over `../flags.ts`:
 *   GET /api/flags                 the flags, each decided for this request
 *   GET /api/flags?all=1           all of them in one batch (`evaluate`)
 *   GET /api/flags?precompute=1    the signed code a middleware would rewrite to (`serialize`)
 *   GET /api/flags?code=<code>     the flags read back from a code, with no evaluation
 * `FLAGS_SECRET` signs codes and opens Flags Explorer's override cookie.
 */
import { evaluate, serialize } from 'flags/next';
import { bannerText, newCheckout, pageFlags, uploadLimitMb } from '../flags.js';

export const config = { runtime: 'edge' };

export default async function handler(request: Request): Promise<Response> {
  const params = new URL(request.url).searchParams;
  const code = params.get('code');
  if (code !== null) {
    const [checkout, banner, upload] = await Promise.all([
      newCheckout(code, pageFlags),
      bannerText(code, pageFlags),
      uploadLimitMb(code, pageFlags),
    ]);
    return Response.json({ newCheckout: checkout, banner, uploadLimitMb: upload });
  }
  if (params.has('precompute')) {
    return Response.json({ code: await serialize(pageFlags, await evaluate(pageFlags, request)) });
  }
  if (params.has('all')) {
    const [checkout, banner, upload] = await evaluate(pageFlags, request);
    return Response.json({ newCheckout: checkout, banner, uploadLimitMb: upload });
  }
  return Response.json({
    newCheckout: await newCheckout(request),
    banner: await bannerText(request),
    uploadLimitMb: await uploadLimitMb(request),
  });
}
