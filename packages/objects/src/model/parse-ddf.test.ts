import { describe, expect, it } from 'vitest';
import { DdfError } from './ddf-error';
import { parseDdf } from './parse-ddf';

const item = (id: number, body: string) => `<Item ID="${id}">${body}</Item>`;
const resource = (id: number, fields: Partial<Record<string, string>> = {}) =>
  item(
    id,
    Object.entries({
      Name: `Resource ${id}`,
      Operations: 'R',
      MultipleInstances: 'Single',
      Mandatory: 'Optional',
      Type: 'Integer',
      RangeEnumeration: '',
      Units: '',
      Description: '',
      ...fields,
    })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `<${name}>${value}</${name}>`)
      .join(''),
  );
const object = (fields: string, resources: string) =>
  `<Object ObjectType="MODefinition">${fields}<Resources>${resources}</Resources></Object>`;
const ddf = (...objects: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<LWM2M>${objects.join('')}</LWM2M>`;
const HEAD =
  '<Name>Test</Name><Description1>d1</Description1><ObjectID>42</ObjectID><ObjectURN>urn:oma:lwm2m:oma:42</ObjectURN>' +
  '<MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>';

function parseError(xml: string, source?: string): DdfError {
  try {
    parseDdf(xml, { source });
  } catch (error) {
    if (DdfError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('parseDdf did not throw');
}

describe('parseDdf', () => {
  it('reads object and resource fields', () => {
    const xml = ddf(
      object(
        `${HEAD}<ObjectVersion>1.1</ObjectVersion><LWM2MVersion>1.1</LWM2MVersion><Description2>notes</Description2>`,
        resource(0, {
          Name: 'Value',
          Operations: 'RW',
          Type: 'Float',
          RangeEnumeration: '-40..85',
          Units: 'Cel',
          Mandatory: 'Mandatory',
          Description: 'The value',
        }) +
          resource(1, { Operations: 'E', Type: '' }) +
          resource(2, { Operations: '', Type: 'Unsigned Integer', MultipleInstances: 'Multiple' }),
      ),
    );
    const [model, ...rest] = parseDdf(xml);
    expect(rest).toEqual([]);
    expect(model).toMatchObject({
      id: 42,
      name: 'Test',
      description: 'd1',
      description2: 'notes',
      version: '1.1',
      lwm2mVersion: '1.1',
      urn: 'urn:oma:lwm2m:oma:42',
      multiple: true,
      mandatory: false,
    });
    expect(model?.resources.get(0)).toEqual({
      id: 0,
      name: 'Value',
      operations: { read: true, write: true, execute: false },
      multiple: false,
      mandatory: true,
      type: 'float',
      range: { kind: 'range', min: -40, max: 85 },
      units: 'Cel',
      description: 'The value',
    });
    expect(model?.resources.get(1)).toMatchObject({
      operations: { read: false, write: false, execute: true },
      type: 'none',
    });
    expect(model?.resources.get(1)).not.toHaveProperty('range');
    expect(model?.resources.get(1)).not.toHaveProperty('units');
    expect(model?.resources.get(2)).toMatchObject({
      operations: { read: false, write: false, execute: false },
      type: 'unsigned',
      multiple: true,
    });
  });

  it.each([
    ['String', 'string'],
    ['Integer', 'integer'],
    ['Unsigned Integer', 'unsigned'],
    ['Float', 'float'],
    ['Boolean', 'boolean'],
    ['Opaque', 'opaque'],
    ['Time', 'time'],
    ['Objlnk', 'objlnk'],
    ['Corelnk', 'corelnk'],
    ['', 'none'],
  ])('maps Type %j to %j', (type, expected) => {
    expect(parseDdf(ddf(object(HEAD, resource(5, { Type: type }))))[0]?.resources.get(5)?.type).toBe(expected);
  });

  it('maps <Type/> to none', () => {
    const xml = ddf(object(HEAD, resource(5).replace('<Type>Integer</Type>', '<Type/>')));
    expect(parseDdf(xml)[0]?.resources.get(5)?.type).toBe('none');
  });

  it('defaults missing and empty versions to 1.0', () => {
    const missing = parseDdf(ddf(object(HEAD, '')))[0];
    expect([missing?.version, missing?.lwm2mVersion]).toEqual(['1.0', '1.0']);
    const empty = parseDdf(ddf(object(`${HEAD}<ObjectVersion> </ObjectVersion><LWM2MVersion/>`, '')))[0];
    expect([empty?.version, empty?.lwm2mVersion]).toEqual(['1.0', '1.0']);
    expect(missing?.resources.size).toBe(0);
  });

  it('keeps "1.10" as text, not the number 1.1', () => {
    expect(parseDdf(ddf(object(`${HEAD}<ObjectVersion>1.10</ObjectVersion>`, '')))[0]?.version).toBe('1.10');
  });

  it('strips a BOM, unwraps CDATA, folds CRLF and trims stray whitespace', () => {
    const xml =
      '\uFEFF<?xml version="1.0"?>\r\n<!-- licence -->\r\n<LWM2M>\r\n  <Object ObjectType="MODefinition">\r\n' +
      '    <Name>\r\n      Spaced Name  \r\n</Name>\r\n    <Description1><![CDATA[  line one\r\n    line <two> & three  ]]></Description1>\r\n' +
      '    <ObjectID> 7 </ObjectID><ObjectURN>urn:x</ObjectURN><MultipleInstances> Single </MultipleInstances><Mandatory>Mandatory</Mandatory>\r\n' +
      `    <Resources>${resource(3, { Units: ' % ', RangeEnumeration: '<![CDATA[0..100]]>' })}</Resources>\r\n  </Object>\r\n</LWM2M>\r\n`;
    const [model] = parseDdf(xml);
    expect(model).toMatchObject({
      id: 7,
      name: 'Spaced Name',
      description: 'line one\nline <two> & three',
      multiple: false,
      mandatory: true,
    });
    expect(model?.resources.get(3)).toMatchObject({ units: '%', range: { kind: 'range', min: 0, max: 100 } });
  });

  it('decodes character references', () => {
    const xml = ddf(object(HEAD, resource(1, { RangeEnumeration: '&#60;7 to &#62;12.5', Description: 'a &amp; b' })));
    expect(parseDdf(xml)[0]?.resources.get(1)).toMatchObject({
      range: { kind: 'text', text: '<7 to >12.5' },
      description: 'a & b',
    });
  });

  it('finds elements by name in any order and any case', () => {
    const shuffled =
      '<Object><mandatory>Optional</mandatory><Resources><Item ID="9"><Type>Boolean</Type><Description>x</Description>' +
      '<MANDATORY>Mandatory</MANDATORY><MultipleInstances>Single</MultipleInstances><Operations>rw</Operations><Name>Flag</Name></Item></Resources>' +
      '<ObjectURN>urn:y</ObjectURN><multipleinstances>single</multipleinstances><ObjectID>9</ObjectID><Name>Shuffled</Name></Object>';
    const [model] = parseDdf(ddf(shuffled));
    expect(model).toMatchObject({ id: 9, name: 'Shuffled', multiple: false, mandatory: false, description: '' });
    expect(model?.resources.get(9)).toMatchObject({
      name: 'Flag',
      type: 'boolean',
      mandatory: true,
      operations: { read: true, write: true, execute: false },
    });
  });

  it('reads several objects from one document', () => {
    const models = parseDdf(
      ddf(object(HEAD, resource(0)), object(HEAD.replace('<ObjectID>42', '<ObjectID>43'), resource(1))),
    );
    expect(models.map((model) => model.id)).toEqual([42, 43]);
    expect([...(models[1]?.resources.keys() ?? [])]).toEqual([1]);
  });

  it('derives the URN when <ObjectURN> is missing', () => {
    const noUrn = (id: number, version: string) =>
      HEAD.replace(
        '<ObjectID>42</ObjectID>',
        `<ObjectID>${id}</ObjectID><ObjectVersion>${version}</ObjectVersion>`,
      ).replace(/<ObjectURN>.*<\/ObjectURN>/, '');
    expect(parseDdf(ddf(object(noUrn(3, '1.2'), '')))[0]?.urn).toBe('urn:oma:lwm2m:oma:3:1.2');
    expect(parseDdf(ddf(object(noUrn(3303, '1.0'), '')))[0]?.urn).toBe('urn:oma:lwm2m:ext:3303');
    expect(parseDdf(ddf(object(noUrn(10241, '1.0'), '')))[0]?.urn).toBe('urn:oma:lwm2m:x:10241');
  });

  describe('errors name the document and element', () => {
    it('malformed XML, with its line', () => {
      const error = parseError('<LWM2M>\n<Object>\n<Name>x</Nam>\n</Object></LWM2M>', 'broken.xml');
      expect(error.source).toBe('broken.xml');
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/^broken\.xml, line 3: malformed XML/);
    });

    it('wrong root element', () => {
      expect(parseError('<DDFList><Item/></DDFList>', 'DDF.xml').message).toBe(
        'DDF.xml: root element is <DDFList>, expected <LWM2M>',
      );
    });

    it('no object', () => {
      expect(parseError('<LWM2M></LWM2M>').message).toBe('<ddf>, LWM2M: no <Object> element');
    });

    it('missing ObjectID', () => {
      const error = parseError(ddf(object(HEAD.replace('<ObjectID>42</ObjectID>', ''), '')), 'a.xml');
      expect(error.element).toBe('LWM2M/Object[0]/ObjectID');
      expect(error.message).toBe('a.xml, LWM2M/Object[0]/ObjectID: <ObjectID> is missing');
    });

    it('ObjectID out of range', () => {
      expect(parseError(ddf(object(HEAD.replace('>42<', '>70000<'), ''))).message).toContain('<ObjectID> is "70000"');
    });

    it('unknown Type, in the second object', () => {
      const error = parseError(ddf(object(HEAD, ''), object(HEAD, resource(0) + resource(12, { Type: 'Double' }))));
      expect(error.element).toBe('LWM2M/Object[1]/Resources/Item[ID=12]/Type');
      expect(error.problem).toContain('<Type> is "Double"');
    });

    it('bad MultipleInstances, Mandatory and Operations', () => {
      expect(parseError(ddf(object(HEAD, resource(1, { MultipleInstances: 'Many' })))).problem).toBe(
        '<MultipleInstances> is "Many", expected Multiple or Single',
      );
      expect(parseError(ddf(object(HEAD, resource(1, { Mandatory: 'Yes' })))).element).toBe(
        'LWM2M/Object[0]/Resources/Item[ID=1]/Mandatory',
      );
      expect(parseError(ddf(object(HEAD, resource(1, { Operations: 'RX' })))).problem).toContain(
        '<Operations> is "RX"',
      );
      expect(parseError(ddf(object(HEAD, resource(1, { Operations: 'RR' })))).problem).toContain(
        '<Operations> is "RR"',
      );
    });

    it('missing resource Name and MultipleInstances', () => {
      expect(parseError(ddf(object(HEAD, resource(4, { Name: undefined })))).element).toBe(
        'LWM2M/Object[0]/Resources/Item[ID=4]/Name',
      );
      expect(parseError(ddf(object(HEAD, resource(4, { MultipleInstances: undefined })))).problem).toBe(
        '<MultipleInstances> is missing',
      );
    });

    it('missing or bad Item ID', () => {
      expect(parseError(ddf(object(HEAD, resource(1).replace(' ID="1"', '')))).element).toBe(
        'LWM2M/Object[0]/Resources/Item[0]',
      );
      expect(parseError(ddf(object(HEAD, resource(1) + resource(1).replace('"1"', '"x"')))).message).toContain(
        'Item[1]: attribute ID is "x"',
      );
    });

    it('a resource defined twice', () => {
      expect(parseError(ddf(object(HEAD, resource(1) + resource(1)))).message).toContain('resource 1 is defined twice');
    });

    it('two <Resources> lists', () => {
      const xml = ddf(object(HEAD, resource(1)).replace('</Object>', `<Resources>${resource(2)}</Resources></Object>`));
      expect(parseError(xml).message).toBe('<ddf>, LWM2M/Object[0]/Resources: <Resources> appears 2 times');
    });

    it('conflicting duplicate elements', () => {
      expect(parseError(ddf(object(`${HEAD}<Name>Other</Name>`, ''))).problem).toBe(
        '<Name> appears 2 times with different values',
      );
    });

    it('never a plain Error for arbitrary input', () => {
      for (const input of [
        '',
        'not xml',
        '<LWM2M>',
        '<LWM2M><Object>text</Object></LWM2M>',
        '<a><b></a>',
        '<LWM2M><Object><Name><x/></Name></Object></LWM2M>',
      ]) {
        expect(() => parseDdf(input), input).toThrow(DdfError);
      }
    });
  });
});
