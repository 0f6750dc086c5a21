import { useContext, useEffect, useState } from 'react';
import { api, type Agent, type Message, type Task } from './api';
import { boardTaskOf, spawnTaskOf } from './format';
import { Reconnects } from './fresh';

// What an agent was given to do: its task on the board, or else the task it was spawned with.
export type AgentTask = { source: 'board'; task: Task } | { source: 'spawn'; message: Message };

// How many of the first messages after a spawn are read to find its task among them.
const FIRST_MESSAGES = 5;
// How often the board is read again while an agent's task is shown (a task moved by hand sends no message).
const BOARD_MS = 10_000;

// A spawn's task never changes once sent: found once per agent (and spawn), kept for the page.
const spawnTasks = new Map<string, Message>();
// Agents whose first messages held no task, and as of which of their messages and reconnects:
// a card drawn anew (moved between the overview's groups) does not read them again until then.
const noSpawnTask = new Map<string, string>();

// The board's tasks, read again when `tick` moves (an assignment and a report are messages)
// and every few seconds; null until read.
export function useBoardTasks(tick: number): Task[] | null {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  useEffect(() => {
    let stop = false;
    const read = () => void api.tasks().then((t) => !stop && setTasks(t), () => undefined);
    read();
    const timer = window.setInterval(read, BOARD_MS);
    return () => {
      stop = true;
      window.clearInterval(timer);
    };
  }, [tick]);
  return tasks;
}

// The agent's task: its board task when it has one, else the message it was spawned with,
// looked for again when `tick` moves (the agent was sent something) and after a reconnect.
export function useAgentTask(agent: Agent, tasks: readonly Task[] | null, tick: number): AgentTask | null {
  const key = `${agent.id}@${agent.createdAt}`;
  const reconnects = useContext(Reconnects);
  const [spawned, setSpawned] = useState<Message | undefined>(() => spawnTasks.get(key));
  useEffect(() => {
    const known = spawnTasks.get(key);
    if (known) return setSpawned(known);
    const asOf = `${tick}/${reconnects}`;
    if (noSpawnTask.get(key) === asOf) return;
    let stale = false;
    api.messagesSince(agent.id, agent.createdAt, FIRST_MESSAGES).then((first) => {
      const found = spawnTaskOf(first, agent.id);
      if (found) spawnTasks.set(key, found);
      else noSpawnTask.set(key, asOf);
      if (!stale) setSpawned(found);
    }, () => undefined);
    return () => {
      stale = true;
    };
  }, [key, agent.id, agent.createdAt, tick, reconnects]);
  const board = tasks ? boardTaskOf(tasks, agent.id) : undefined;
  if (board) return { source: 'board', task: board };
  return spawned ? { source: 'spawn', message: spawned } : null;
}

// The task in a few words, as "Task:" shows it.
export function taskText(task: AgentTask): string {
  return task.source === 'board' ? `#${task.task.id} ${task.task.title}` : task.message.subject;
}
