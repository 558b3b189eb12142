/**
 * Generates src/lib/staff/data/common-passwords.txt: the best-known common passwords (from the widely
 * published "most common passwords" lists, written out by hand here) plus the obvious patterns
 * people use to stretch them to 12 characters (repeats, digits and years appended, keyboard walks,
 * the service's own words). Only entries of 12 characters or more matter (shorter ones are refused
 * by the length rule anyway), but the base words are kept so the list reads sensibly.
 * Run: node scripts/generate-common-passwords.mjs
 */
import { writeFileSync } from 'node:fs';

const base = `password passw0rd p@ssword p@ssw0rd pass qwerty qwertyuiop qwertyuiop123 asdfghjkl zxcvbnm
azerty qwertz 123456 1234567 12345678 123456789 1234567890 12345678910 123123 123321 654321 987654321
111111 000000 121212 112233 666666 696969 777777 888888 999999 123qwe qwe123 1q2w3e 1q2w3e4r 1q2w3e4r5t
1qaz2wsx 1qaz2wsx3edc zaq12wsx zaq1zaq1 qazwsx qazwsxedc abc123 abcd1234 abcdef abcdefg abcdefgh
iloveyou iloveyou1 letmein welcome welcome1 monkey dragon master shadow sunshine princess football
baseball soccer hockey basketball superman batman spiderman starwars pokemon michael jennifer jordan
hunter hunter2 trustno1 charlie donald freedom whatever qazwsx ninja mustang access admin administrator
root toor login changeme default guest test tester testing secret secret123 computer internet
samsung google apple microsoft linkedin facebook twitter instagram tiktok youtube
summer winter spring autumn january february march april may june july august september october
november december monday friday weekend london manchester liverpool chelsea arsenal tottenham
england britain scotland wales ireland norwich norfolk suffolk ipswich lowestoft
nhs nhsnhs nhstrust nhsuk nsft hospital nurse doctor health mentalhealth wellbeing patient
social socialmedia moderator reviewer fairhearing appeal principles staff office work company
lovely loveme lover babygirl angel flower butterfly cookie chocolate cheese pepper ginger
tigger buster harley ranger thomas robert daniel matthew andrew joshua george oliver harry jack
jessica ashley amanda emily sophie olivia charlotte hannah lauren chloe
killer pussy fuckyou fuckoff bitch asshole
qwerty123 qwerty1234 password1 password12 password123 password1234 password12345 passwort
letmein123 welcome123 admin123 admin1234 root123 test123 test1234 love123 iloveyou123
myspace1 blink182 liverpool1 arsenal1 chelsea1 football1 monkey123 dragon123
correcthorsebatterystaple correcthorse horsebatterystaple`
  .split(/\s+/)
  .filter(Boolean);

const years = [];
for (let y = 1950; y <= 2030; y++) years.push(String(y));
const suffixes = [
  '1',
  '12',
  '123',
  '1234',
  '12345',
  '123456',
  '!',
  '1!',
  '123!',
  '2024',
  '2025',
  '2026',
  '01',
  '007',
  '69',
  '99',
  '00',
  '11',
  '!!',
  '@123',
  '#1',
];

const out = new Set();
const add = (s) => out.add(s.toLowerCase());
for (const w of base) {
  add(w);
  add(w + w);
  add(w + w + w);
  for (const s of suffixes) add(w + s);
  for (const y of years) add(w + y);
  add(w[0].toUpperCase() + w.slice(1) + '123!');
  add(w.replace(/a/g, '@').replace(/o/g, '0').replace(/e/g, '3').replace(/i/g, '1').replace(/s/g, '$'));
}
// Repeated characters and digit runs.
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789!') for (let n = 6; n <= 20; n++) add(c.repeat(n));
const digits = '12345678901234567890';
for (let n = 6; n <= 20; n++) add(digits.slice(0, n));
for (let n = 6; n <= 20; n++) add('09876543210987654321'.slice(0, n));
// Keyboard walks, also repeated.
for (const walk of [
  'qwertyuiop',
  'asdfghjkl',
  'zxcvbnm',
  '1qaz2wsx3edc4rfv',
  'qazwsxedcrfv',
  '!qaz@wsx',
  '1q2w3e4r5t6y',
  'q1w2e3r4t5y6',
  'poiuytrewq',
  'mnbvcxz',
  'qwertyuiopasdfghjkl',
  'asdfghjkl;',
  'qweasdzxc',
  'qweasdzxc123',
]) {
  add(walk);
  add(walk + walk);
  add(walk + '123');
  add(walk + '1234');
  add(walk + '!');
}
// Shorter entries are refused by the 12-character rule already.
const list = [...out].filter((p) => p.length >= 12).sort();
writeFileSync(new URL('../src/lib/staff/data/common-passwords.txt', import.meta.url), list.join('\n') + '\n');
console.log(`${list.length} entries`);
