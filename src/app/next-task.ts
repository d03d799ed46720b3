/**
 * The next task: a message to itself, which a background tab does not slow as it does timers. Long
 * work on the page's thread awaits it between parts, so that a click or a frame comes in between.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
