// The revision and the real QLDB block from shared/qldb-vectors.md, rebuilt with the engine's code.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseText } from "../../../../engine/ion/text.ts";
import { ionHash } from "../../../../engine/ion/hash.ts";
import type { IonStruct, IonValue } from "../../../../engine/ion/value.ts";
import { revisionHash, statementDigest } from "../../../../engine/ledger/block.ts";
import { metadataFromIon } from "../../../../engine/ledger/block-codec.ts";
import { dot, merkleRoot } from "../../../../engine/ledger/dot.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const one = (text: string): IonValue => parseText(text)[0];

describe("QLDB vectors: revision and block", () => {
  test("a revision computed with the reference implementations", () => {
    const metadata = metadataFromIon(one('{id:"3Qv67yjXEwB9SjmvkuG6Cp",version:0,txTime:2019-06-05T20:53:35.291Z,txId:"CQQ8BQ8QVE2FhTXaE9ZzYl"}'));
    const data = one(
      '{VIN:"1N4AL11D75C109151",LicensePlateNumber:"LEWISR261LL",State:"WA",City:"Seattle",PendingPenaltyTicketAmount:90.25,ValidFromDate:2017-08-21T,ValidToDate:2020-05-11T,Owners:{PrimaryOwner:{PersonId:"294jJ3YUoH1IEEm8GSabOs"},SecondaryOwners:[]}}',
    ) as IonStruct;
    assert.equal(hex(ionHash(data)), "e3f2036458758abd1cfe6d418ac2656a16719f40c838490d502c7c42a8d6a060");
    assert.equal(hex(revisionHash(metadata, data)), "3454359fcafd9df3a1d6f9d7fe9f4589b63aea20c53355660afcf1952917f15a");
  });

  test("a real QLDB block: revision hash, statement digest, entries hash and block hash", () => {
    const metadata = metadataFromIon(one('{id:"D35qd3e2prnJYmtKW6kok1",version:0,txTime:2019-12-11T07:20:51.245Z,txId:"0007KbqoyqAIch6XRbQ4iA"}'));
    const data = one(
      '{FirstName:"Testing new 600",LastName:"Lewis",DOB:1963-08-19T,GovId:"LEWISR261LL",GovIdType:"Driver License",Address:"1719 University Street, Seattle, WA, 98109"}',
    ) as IonStruct;
    const rev = revisionHash(metadata, data);
    assert.equal(b64(rev), "vJFOcsNRM14gsIBSEnwPhMVgRAWf/4EUW5gPYbtmDv0=");
    const statement = "INSERT INTO Person <<\n{\n    'FirstName' : 'Testing new 600',\n    'LastName' : 'Lewis',\n    'DOB' : `1963-08-19T`,\n    'GovId' : 'LEWISR261LL',\n    'GovIdType' : 'Driver License',\n    'Address' : '1719 University Street, Seattle, WA, 98109'\n}\n>>";
    assert.equal(b64(statementDigest(statement, [])), "t5wbRW+wIi/X0n3iPhFJtbt2qpzzgWkOXIFC4xJHp4o=");
    const info: IonStruct = {
      kind: "struct",
      fields: [
        ["statements", {
          kind: "list",
          items: [{
            kind: "struct",
            fields: [
              ["statement", { kind: "string", value: statement }],
              ["startTime", one("2019-12-11T07:20:51.223Z")],
              ["statementDigest", { kind: "blob", bytes: unb64("t5wbRW+wIi/X0n3iPhFJtbt2qpzzgWkOXIFC4xJHp4o=") }],
            ],
          }],
        }],
        ["documents", one('{D35qd3e2prnJYmtKW6kok1:{tableName:"Person",tableId:"1SUXCa3wwV0GD7kV78RbSg",statements:[0]}}')],
      ],
    };
    assert.equal(b64(ionHash(info)), "Lz3XWBwtWyBA/Lhj+UoLhbajPQ8Mk9N4j0HJlrm2OTg=");
    const entries = [
      unb64("LmcGQjLlfScQQxbzaoglEpXpeN9bp7I/QUk690ncEpk="),
      merkleRoot([rev]),
      unb64("KXJrG8t/KePERHasyztlv4kZPol4Q2buhWmy7iJrsiY="),
      ionHash(info),
    ];
    const entriesHash = merkleRoot(entries);
    assert.equal(b64(entriesHash), "RNGQGcOKCGLCo5S+hs1eboanNrocIzRiqzzq1s99G/Q=");
    const blockHash = dot(entriesHash, unb64("pV28aszpqJH9LOO9oMsACDmXfdzdEW7HYxzuQVIjSDU="));
    assert.equal(b64(blockHash), "lu425dAWsmvzxuNHTbn4ID4mLo0bWKkjLP2Uel4wrPQ=");
  });
});
