// Bench Worker (c): answers at once; the cost of the request itself.
export default {
  fetch() {
    return new Response('ok');
  },
};
