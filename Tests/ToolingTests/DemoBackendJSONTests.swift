import DemoBackend
import Testing

/// The backend's JSON reader and writer: ids and params come back byte for byte.
struct DemoBackendJSONTests {
    @Test func roundTripKeepsNumbersAndMemberOrder() throws {
        let text = #"{"z":1,"a":[1.50,-0,1e+400,12345678901234567890],"s":"é\n\"\u0001","n":null,"t":true}"#
        let value = try DemoJSON.parse(text)
        #expect(value.text == #"{"z":1,"a":[1.50,-0,1e+400,12345678901234567890],"s":"é\n\"\u0001","n":null,"t":true}"#)
        #expect(value["a"] == .array([.number("1.50"), .number("-0"), .number("1e+400"), .number("12345678901234567890")]))
    }

    @Test func escapesAndSurrogatePairsDecode() throws {
        let value = try DemoJSON.parse(#"["\u00e9\ud83d\ude00\/\t"]"#)
        #expect(value == .array([.string("é😀/\t")]))
        #expect(throws: DemoJSONError.self) { try DemoJSON.parse(#"["\ud83d"]"#) }
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "tru", "\"a", "[1] x", "{\"a\":1,}"])
    func malformedInputIsRefused(_ text: String) {
        #expect(throws: DemoJSONError.self) { try DemoJSON.parse(text) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = #expect(throws: DemoJSONError.self) { try DemoJSON.parse(deep) }
        #expect(error?.reason.contains("nested deeper") == true)
    }
}
