// Invokes the `handler` a snippet exports as the Lambda runtime does: one event, one context
// object, the invocation over when its promise settles. Prints the result as JSON.
const [file, eventJson] = process.argv.slice(2);
const { handler } = await import(file);
const deadline = Date.now() + 3000;
const context = {
  awsRequestId: 'c0ffee00-0000-4000-8000-000000000000',
  functionName: 'snippet',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
console.log(JSON.stringify(await handler(JSON.parse(eventJson), context)));
