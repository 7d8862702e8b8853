// Every example bot in scripts/ played through whole conversations, against the demo auth
// service and API on loopback (the bots name 127.0.0.1:4010; the tests move them to a free port).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/bot/bot.js';
import { loadBotText } from '../../src/bot/load.js';
import { startDemoServices, type DemoServices } from '../../src/demo/demo-services.js';
import { createEngine } from '../../src/create-engine.js';
import type { Engine } from '../../src/runtime/engine.js';
import type { ChannelId } from '../../src/runtime/turn.js';
import { createMemoryStore } from '../../src/stores/memory-store.js';
import { chatWith, play } from '../support/conversation.js';

let services: DemoServices;
beforeAll(async () => {
  services = await startDemoServices();
});
afterAll(async () => {
  await services.close();
});

async function example(name: string): Promise<Bot> {
  const path = join(import.meta.dirname, '..', '..', 'scripts', name);
  const text = (await readFile(path, 'utf8')).replaceAll('127.0.0.1:4010', `127.0.0.1:${services.port}`);
  const { bot, problems } = loadBotText(text, path);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return bot!;
}

function engineFor(bot: Bot): Engine {
  return createEngine({ bot, store: createMemoryStore(), allowPrivateNetworks: true });
}

describe('scripts/demo.json', () => {
  it('signs in, tells the balance, asks nothing the next time, and forgets the token on logout', async () => {
    const engine = engineFor(await example('demo.json'));
    const chat = chatWith(engine, { channel: 'sms' });
    await play(chat, `
      > hi
      Welcome to ACME Bank.
      What is your username?
      > ada
      And your password?
      > wrong
      That username and password don't match. Let's try again.
      What is your username?
      > ada
      And your password?
      > lovelace
      Hi Ada Lovelace, your balance is 1234.56 USD.
    `);
    await play(chat, `
      > hello again
      Welcome to ACME Bank.
      Hi Ada Lovelace, your balance is 1234.56 USD.
      > logout
      You are signed out.
      > hi
      Welcome to ACME Bank.
      What is your username?
    `);
  });

  it('keeps tokens per user: another user is asked to sign in', async () => {
    const engine = engineFor(await example('demo.json'));
    await play(chatWith(engine, { user: '+15550100001' }), '> hi\nWelcome to ACME Bank.\nWhat is your username?\n> alan\nAnd your password?\n> turing\nHi Alan Turing, your balance is 42.00 USD.');
    await play(chatWith(engine, { user: '+15550100002' }), '> hi\nWelcome to ACME Bank.\nWhat is your username?');
  });

  it('takes onFailure after three refused sign-ins, and pauses sign-in before asking again', async () => {
    const engine = engineFor(await example('demo.json'));
    const refused = "> ada\nAnd your password?\n> nope\nThat username and password don't match. Let's try again.\nWhat is your username?";
    await play(chatWith(engine, { user: '+15550100009' }), `
      > hi
      Welcome to ACME Bank.
      What is your username?
      ${refused}
      ${refused}
      > ada
      And your password?
      > nope
      We couldn't sign you in. Please call us at +1 555 0100.
      > hi
      Welcome to ACME Bank.
      Too many attempts. Please wait 30 seconds and try again.
      We couldn't sign you in. Please call us at +1 555 0100.
    `);
  });

  it('is told sign-in is not available on web chat', async () => {
    const engine = engineFor(await example('demo.json'));
    await play(chatWith(engine, { channel: 'web', user: 'web-user-1' }), `
      > hi
      Welcome to ACME Bank.
      Sign-in isn't available in this chat. Please use our app, SMS, WhatsApp, Messenger or call us.
      We couldn't sign you in. Please call us at +1 555 0100.
    `);
  });
});

describe('scripts/pizza.json', () => {
  const channels: ChannelId[] = ['sms', 'whatsapp', 'messenger'];
  it.each(channels)('takes a delivery order on %s, with retries and a cross-script goto', async (channel) => {
    const engine = engineFor(await example('pizza.json'));
    const sizes = channel === 'sms' ? 'Which size?\n1. Small\n2. Large\n3. Just looking' : 'Which size? [Small] [Large] [Just looking]';
    await play(chatWith(engine, { channel, user: `${channel}-user` }), `
      > hello
      Ciao! Let's get you a pizza.
      ${sizes}
      > 2
      How many?
      > a few
      Please tell me a number, like 2.
      How many?
      > 3
      Delivery? (yes or no)
      > yes
      What's your postcode?
      > 1234
      A postcode has five digits.
      What's your postcode?
      > 10115
      A phone number for the driver?
      > +49 30 1234567
      And an email for the receipt?
      > luigi@example.com
      Your order: 3 large pizza(s). Type your 4-digit table or door code to confirm.
      > 4711
      Thank you! 3 large pizza(s) on the way.
    `);
  });

  it('branches on the count, follows a choice target, and answers a trigger keyword mid-conversation', async () => {
    const greeting = "Ciao! Let's get you a pizza.\nWhich size?\n1. Small\n2. Large\n3. Just looking";
    const engine = engineFor(await example('pizza.json'));
    await play(chatWith(engine, { user: 'u-branches' }), `
      > hi
      ${greeting}
      > small
      How many?
      > opening hours
      We are open every day from 11:00 to 23:00.
      > hi
      ${greeting}
      > small
      How many?
      > 9
      For more than 5 pizzas, please call the shop.
      > hi
      ${greeting}
      > Just looking
      Arrivederci!
    `);
  });
});

describe('scripts/phone-bank.json', () => {
  it('signs a caller in on the keypad, reads the balance, sends money and signs out', async () => {
    const engine = engineFor(await example('phone-bank.json'));
    const menu = 'What would you like to do? Press 1 for Hear your balance. Press 2 for Send money. Press 3 for Sign out.';
    await play(chatWith(engine, { channel: 'phone', user: '+15550100003', conversation: 'call-1' }), `
      Welcome to ACME Bank telephone banking.
      Please enter your account number. Then press the pound key.
      > 10002#
      Now enter your PIN. Then press the pound key.
      > 19x2
      Please enter digits only.
      Now enter your PIN. Then press the pound key.
      > 1912#
      ${menu}
      > 1
      Alan Turing, your balance is 42.00 dollars.
      ${menu}
      > 2
      How many dollars? Then press pound.
      > 40#
      Send 40 dollars? Press 1 for yes, 2 for no.
      > 1
      Done. Your new balance is 2.00 dollars.
      ${menu}
      > 2
      How many dollars? Then press pound.
      > 500#
      Send 500 dollars? Press 1 for yes, 2 for no.
      > 1
      That transfer did not go through.
      ${menu}
      > 3
      You are signed out. Goodbye.
      (the call ends)
    `);
  });

  it('asks again on a new call, since phone tokens are kept for the call only', async () => {
    const engine = engineFor(await example('phone-bank.json'));
    const user = '+15550100004';
    await play(chatWith(engine, { channel: 'phone', user, conversation: 'call-a' }), `
      Welcome to ACME Bank telephone banking.
      Please enter your account number. Then press the pound key.
      > 10001
      Now enter your PIN. Then press the pound key.
      > 1815
      What would you like to do? Press 1 for Hear your balance. Press 2 for Send money. Press 3 for Sign out.
    `);
    await play(chatWith(engine, { channel: 'phone', user, conversation: 'call-b' }), `
      Welcome to ACME Bank telephone banking.
      Please enter your account number. Then press the pound key.
    `);
  });
});

describe('scripts/botize-sign-in.json', () => {
  it('signs in against a service that answers 200 either way, and reads its verdict', async () => {
    const engine = engineFor(await example('botize-sign-in.json'));
    const chat = chatWith(engine, { user: '+15550100011' });
    await play(chat, `
      > hi
      Welcome to ACME Bank.
      What is your username?
      > ada
      And your password?
      > wrong
      That username and password don't match. Let's try again.
      What is your username?
      > ada
      And your password?
      > lovelace
      Hi Ada Lovelace, your balance is 1234.56 USD.
    `);
    // The auth data came back as the object the service gave, and is sent back as it was.
    await play(chat, `
      > hi again
      Welcome to ACME Bank.
      Hi Ada Lovelace, your balance is 1234.56 USD.
      > logout
      You are signed out.
    `);
    expect(services.calls.get('/authenticate_user')).toBeGreaterThanOrEqual(2);
    expect(services.calls.get('/account_summary')).toBeGreaterThanOrEqual(2);
  });
});
