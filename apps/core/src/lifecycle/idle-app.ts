import { once, type AppHandle } from './run-app.js';

// An app that holds its process open and does nothing else until it is stopped: the shape of a
// PM2 app whose work a later issue fills in, so that the ecosystem's lifecycle is real today.
export function createIdleApp(): AppHandle {
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      timer = setInterval(() => undefined, 2 ** 30);
    },
    stop: once(async () => {
      clearInterval(timer);
    }),
  };
}
